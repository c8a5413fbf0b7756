"""The Jinja environment of a site: its templates over the theme's, and template errors.

Made once per build (the dev server keeps it until a template or a setting changes),
with the site's message catalogs compiled into it; its templates can be compiled while
the documents still parse (``warm_templates``). Jinja is imported only when an
environment is made, so a rebuild that renders nothing does not pay for it.
"""

from __future__ import annotations

import functools
import gettext
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import i18n
from .errors import TemplateError
from .settings import Settings

if TYPE_CHECKING:
    import jinja2

THEME_DIR = Path(__file__).parent / "theme"
THEME_PREFIX = "theme"  # "theme/base.html" is always the theme's own template
NOT_FOUND = "404.html"
PAGE_TEMPLATES = {"root": "root.html", "404": NOT_FOUND, "home": "home.html", "page": "page.html"}
PAGE_TEMPLATES |= {"tags": "tags.html", "tag": "tag.html", "release": "release.html"}


@functools.cache
def _environment_class() -> type[jinja2.Environment]:
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
    env = _environment_class()(
        settings,
        i18n.catalogs(settings),
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
    i18n.install_translations(env, env.catalogs[settings.default_locale])
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
    names = [*PAGE_TEMPLATES.values(), "partials/figure.html"]
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
