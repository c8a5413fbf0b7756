"""The Jinja environment of a site: its templates over the theme's, and template errors.

Made once per build (the dev server keeps it until a template or a setting changes),
with the site's message catalogs compiled into it; its templates can be compiled while
the documents still parse (``warm_templates``). Jinja is imported only when an
environment is made, so a rebuild that renders nothing does not pay for it.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import traceback
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate

from presssite import THEME_DIR
from presssite.errors import TemplateError
from presssite.render import i18n
from presssite.render import theme as portal_theme
from presssite.settings import Settings

if TYPE_CHECKING:
    import jinja2

    # The environment's class: made with a site's settings and message catalogs, then
    # Jinja's own options.
    _EnvironmentClass = Callable[
        Concatenate[Settings, Mapping[str, gettext.NullTranslations], ...], jinja2.Environment
    ]


THEME_PREFIX = "theme"  # "theme/base.html" is always the theme's own template
NOT_FOUND = "404.html"
PAGE_TEMPLATES = {"root": "root.html", "404": NOT_FOUND, "home": "home.html", "page": "page.html"}
PAGE_TEMPLATES |= {"tags": "tags.html", "tag": "tag.html", "release": "release.html"}
# The templates each kind of page is rendered with, besides the ones they load: a
# release's or a page's figures come from partials/figure.html (``render``).
KIND_TEMPLATES: dict[str, tuple[str, ...]] = {
    kind: (name,) for kind, name in PAGE_TEMPLATES.items()
}
KIND_TEMPLATES["release"] += ("partials/figure.html",)
KIND_TEMPLATES["page"] += ("partials/figure.html",)


@functools.cache
def _environment_class() -> _EnvironmentClass:
    import jinja2

    class ThemeEnvironment(jinja2.Environment):
        """A Jinja environment that also carries its site's compiled message catalogs.

        The catalogs are compiled once when the environment is made (the dev server keeps
        the environment between rebuilds), not once per page.
        """

        def __init__(
            self,
            settings: Settings,
            catalogs: Mapping[str, gettext.NullTranslations],
            **options: Any,
        ) -> None:
            super().__init__(**options)
            self.settings = settings
            self.catalogs = dict(catalogs)

    return ThemeEnvironment


def make_environment(settings: Settings, *, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment of a site: its templates over the theme's, i18n installed.

    ``compiled`` is a folder where Jinja keeps compiled templates between runs (its
    bytecode cache checks each template's source, so an edited template is recompiled).
    """
    import jinja2

    theme = jinja2.FileSystemLoader(THEME_DIR / "templates")
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(settings.templates_dir),
            theme,
            jinja2.PrefixLoader({THEME_PREFIX: theme}),
        ]
    )
    catalogs = i18n.catalogs(settings)
    env = _environment_class()(
        settings,
        catalogs,
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(compiled) if compiled is not None else None,
        # No stat of every template on every include: an environment lives for one build,
        # or until the dev server sees a template change and makes a new one.
        auto_reload=False,
    )
    i18n.install_translations(env, catalogs[settings.default_locale])
    portal_theme.install(env, settings)
    return env


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    import jinja2

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def warm_templates(env: jinja2.Environment) -> None:
    """Compile the site's and the theme's templates into ``env`` ahead of rendering.

    Called while documents parse, and before render workers fork: a template is
    otherwise compiled where it is first used, so ``base.html`` and the partials (loaded
    by ``extends`` and ``include`` as a page renders) would be compiled once in every
    worker. A template that fails to load is left for the render stage to report.
    """
    names = [name for roots in KIND_TEMPLATES.values() for name in roots]
    try:
        names += env.list_templates(extensions=("html", "htm", "xml"))
    except (OSError, TypeError):  # a loader that cannot list: the page templates only
        pass
    for name in dict.fromkeys(names):
        if name.startswith(f"{THEME_PREFIX}/"):
            continue  # the theme's own copy under another name: loaded when extended
        try:
            env.get_template(name)
        except Exception:  # noqa: BLE001 - reported with its file and line when rendered
            continue


def template_keys(env: jinja2.Environment) -> dict[str, str]:
    """For each kind of page, a hash of every template its pages are rendered with.

    That is its own templates (``KIND_TEMPLATES``), the ones they extend, include or
    import, and theirs: each name with the file it is loaded from (the site's, else the
    theme's) and a hash of its source, or as missing. A page records its kind's
    (``dependencies``), so an edit of ``release.html`` renders the releases again and
    leaves the lists alone, while an edit of ``base.html`` renders every page. A template that
    loads one by a computed name (``{% include name %}``), or does not parse, could use
    any: its kind then depends on every template there is.
    """
    import jinja2
    from jinja2 import meta

    assert env.loader is not None
    loader = env.loader
    files: dict[str, tuple[str, str]] = {}  # name -> (file, hash of the source)
    uses: dict[str, tuple[str | None, ...]] = {}  # name -> the names it loads (None: computed)

    def visit(name: str) -> None:
        if name in files:
            return
        try:
            source, filename, _ = loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            files[name], uses[name] = ("", "missing"), ()
            return
        files[name] = (filename or "", hashlib.sha256(source.encode("utf-8")).hexdigest())
        try:
            uses[name] = tuple(meta.find_referenced_templates(env.parse(source, name, filename)))
        except jinja2.TemplateSyntaxError:
            uses[name] = (None,)  # reported when a page renders with it

    keys: dict[str, str] = {}
    for kind, roots in KIND_TEMPLATES.items():
        closure: set[str] = set()
        stack = list(roots)
        computed = False
        while stack:
            name = stack.pop()
            if name in closure:
                continue
            closure.add(name)
            visit(name)
            for used in uses[name]:
                if used is None:
                    computed = True
                else:
                    stack.append(used)
        if computed:
            try:
                closure.update(env.list_templates())
            except TypeError:  # a loader that cannot list: a key no build gives again
                keys[kind] = uuid.uuid4().hex
                continue
            for name in closure:
                visit(name)
        found = repr(sorted((name, *files[name]) for name in closure))
        keys[kind] = hashlib.sha256(found.encode("utf-8")).hexdigest()
    return keys


def template_error(exc: Exception, name: str) -> TemplateError:
    """A ``TemplateError`` naming the template file and line an exception came from."""
    import jinja2

    if isinstance(exc, TemplateError):
        return exc
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(
            f"template syntax error: {exc.message}",
            path=exc.filename or exc.name or name,
            line=exc.lineno,
            hint="check the Jinja tags ({% ... %}, {{ ... }}) around this line",
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateError(
            f"template not found: {exc.name}",
            path=name,
            hint="add it to the site's templates/ folder, or extend a theme template",
        )
    path, line = name, None
    for frame in traceback.extract_tb(exc.__traceback__):
        if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
            path, line = frame.filename, frame.lineno
    if isinstance(exc, jinja2.UndefinedError):
        return TemplateError(
            f"undefined value: {exc.message}",
            path=path,
            line=line,
            hint="the page context has no such value; check the spelling",
        )
    if line is None:
        raise exc
    return TemplateError(f"{type(exc).__name__}: {exc}", path=path, line=line)
