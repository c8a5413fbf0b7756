"""The render stage: the site model in, every HTML page out, as ``OutputFile``s.

Templates come from the site's ``templates/`` folder over the built-in theme (a site
template of the same name wins; ``theme/<name>`` always reaches the theme's own, so an
override can extend it). Templates are handed ready-made values (URLs, alternates,
localized dates, planned ``PhotoImage``s) and never touch the filesystem; every label
in them goes through gettext, with the locale's catalogs installed before that locale's
pages are rendered. Errors in templates become ``TemplateError``s naming file and line.
"""

from __future__ import annotations

import gettext
import logging
import traceback
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import jinja2

from . import i18n, pages, social, urls
from .errors import TemplateError
from .model import OutputFile, PhotoImage, Site, Tag, Translation
from .settings import Settings

log = logging.getLogger(__name__)

THEME_DIR = Path(__file__).parent / "theme"
THEME_PREFIX = "theme"  # "theme/base.html" is always the theme's own template
NOT_FOUND = "404.html"


class ThemeEnvironment(jinja2.Environment):
    """A Jinja environment that also carries its site's compiled message catalogs.

    The catalogs are compiled once when the environment is made (the dev server keeps
    the environment between rebuilds), not once per page.
    """

    def __init__(
        self, settings: Settings, catalogs: Mapping[str, gettext.NullTranslations], **options: Any
    ) -> None:
        super().__init__(**options)
        self.settings = settings
        self.catalogs = dict(catalogs)


def make_environment(settings: Settings) -> ThemeEnvironment:
    """The Jinja environment of a site: its templates over the theme's, i18n installed."""
    theme = jinja2.FileSystemLoader(THEME_DIR / "templates")
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(settings.templates_dir),
            theme,
            jinja2.PrefixLoader({THEME_PREFIX: theme}),
        ]
    )
    env = ThemeEnvironment(
        settings,
        i18n.catalogs(settings),
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(env.catalogs[settings.default_locale], newstyle=True)
    return env


class ImageLookup(Protocol):
    """The planned images of a page's photos, by the photo's ``src`` (images.py).

    A lookup may also offer ``crops_for_page(doc)``: the structured-data crops of the
    page's lead photos (objects with a ``variant``), listed as the article's images.
    """

    def for_page(self, doc: Translation) -> Mapping[str, PhotoImage]: ...


def render_site(
    site: Site,
    images: ImageLookup,
    env: jinja2.Environment,
    *,
    preview: bool = False,
    stale: Mapping[tuple[str, str], str] | None = None,
) -> list[OutputFile]:
    """Every HTML page of the site: root, homes, releases, pages, tags, 404.

    ``stale`` maps (bundle, locale) of an outdated translation to the locale of the
    translation that changed after it; those pages show a notice linking it.
    """
    settings = site.settings
    if isinstance(env, ThemeEnvironment) and set(settings.locales) <= env.catalogs.keys():
        catalogs = env.catalogs
    else:  # a plain environment, or one made before the locales changed
        catalogs = i18n.catalogs(settings)
    renderer = _Renderer(site, images, env, preview=preview, stale=stale or {})
    env.install_gettext_translations(catalogs[settings.default_locale], newstyle=True)
    files = [renderer.root(), renderer.not_found()]
    for loc in settings.locales:
        env.install_gettext_translations(catalogs[loc], newstyle=True)
        files.extend(renderer.locale_pages(loc))
    return files


def static_files(settings: Settings) -> list[OutputFile]:
    """The theme's static files, then the site's over them, published under ``static/``."""
    found: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", settings.static_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                found[rel.as_posix()] = path
    return [OutputFile(path=f"static/{rel}", source=path) for rel, path in sorted(found.items())]


# --------------------------------------------------------------------------- rendering


class _Renderer:
    """One render of one site: templates fetched once, per-locale values built once.

    Its caches (teasers, planned images, per-locale contexts) live only as long as one
    ``render_site`` call.
    """

    def __init__(
        self,
        site: Site,
        images: ImageLookup,
        env: jinja2.Environment,
        *,
        preview: bool,
        stale: Mapping[tuple[str, str], str],
    ) -> None:
        self.site = site
        self.stale = stale
        self.settings = site.settings
        self.images = images
        self.env = env
        self.preview = preview
        self.tz = self.settings.tz
        self.homes = {loc: urls.home(self.settings, loc) for loc in self.settings.locales}
        self.templates: dict[str, jinja2.Template] = {}
        self._images: dict[tuple[str, str], Mapping[str, PhotoImage]] = {}
        self._teasers: dict[tuple[str, str], pages.Teaser] = {}

    # ---- pages

    def root(self) -> OutputFile:
        s = self.settings
        loc = s.default_locale
        switcher = pages.list_alternates(s, "", "", self.homes)
        context = {
            **self.shared(loc),
            "canonical": urls.absolute(s, urls.root(s)),
            "hreflang": pages.hreflang_links(s, switcher, urls.root(s)),
            "switcher": switcher,
            "homes": self.homes,
            "default_locale": loc,
            "titles": {lo: s.localized(s.title, lo) for lo in s.locales},
        }
        return self.page(urls.root(s), "root.html", context)

    def not_found(self) -> OutputFile:
        loc = self.settings.default_locale
        context = {
            **self.shared(loc),
            "switcher": pages.list_alternates(self.settings, "", "", self.homes),
        }
        return OutputFile(path=NOT_FOUND, data=self.render(NOT_FOUND, context).encode("utf-8"))

    def locale_pages(self, loc: str) -> Iterator[OutputFile]:
        s = self.settings
        shared = self.shared(loc)
        home_pages = pages.paginate(
            self.site.releases.get(loc, ()), s.page_size, loc, lambda n: urls.home(s, loc, n)
        )
        for page in home_pages:
            switcher = pages.list_alternates(s, loc, page.url, self.homes)
            links = pages.hreflang_links(s, switcher, urls.root(s)) if page.number == 1 else ()
            yield self.list_page(shared, "home.html", page, switcher, links, {})
        indexes = {lo: urls.tags_index(s, lo) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, indexes[loc], indexes)
        yield self.page(
            indexes[loc],
            "tags.html",
            {
                **shared,
                "canonical": urls.absolute(s, indexes[loc]),
                "hreflang": pages.hreflang_links(s, switcher, indexes[s.default_locale]),
                "switcher": switcher,
                "tags": self.site.tags.get(loc, ()),
            },
        )
        for tag in self.site.tags.get(loc, ()):
            for page in pages.paginate(tag.releases, s.page_size, loc, _tag_url(s, tag)):
                switcher = pages.list_alternates(s, loc, page.url, self.homes)
                yield self.list_page(shared, "tag.html", page, switcher, (), {"tag": tag})
        tags = _tags_by_name(self.site.tags.get(loc, ()))
        for doc in self.site.releases.get(loc, ()):
            yield self.document(shared, doc, "release.html", tags)
        for doc in self.site.pages.get(loc, ()):
            yield self.document(shared, doc, "page.html", tags)

    def list_page(
        self,
        shared: dict[str, Any],
        template: str,
        page: Any,
        switcher: tuple[Any, ...],
        hreflang: tuple[pages.HreflangLink, ...],
        extra: dict[str, Any],
    ) -> OutputFile:
        context = {
            **shared,
            **extra,
            "canonical": urls.absolute(self.settings, page.url),
            "hreflang": hreflang,
            "switcher": switcher,
            "list_page": page,
            "teasers": [self.teaser(doc) for doc in page.items],
        }
        return self.page(page.url, template, context)

    def document(
        self, shared: dict[str, Any], doc: Translation, template: str, tags: Mapping[str, Tag]
    ) -> OutputFile:
        s = self.settings
        bundle = self.site.bundles[doc.bundle]
        switcher = pages.document_alternates(s, bundle, doc.locale, self.homes)
        canonical = urls.absolute(s, doc.url)
        photos = self.photos(doc)
        body, figures = pages.rewrite_body(doc, photos, self.site, self.figure_renderer())
        notice = None
        if self.preview:
            until = i18n.format_datetime(doc.embargo, doc.locale, self.tz) if doc.embargo else ""
            notice = pages.preview_notice(doc, self.site.now, until)
        context = {
            **shared,
            "canonical": canonical,
            "hreflang": pages.hreflang_links(s, switcher, pages.x_default(s, bundle)),
            "switcher": switcher,
            "doc": doc,
            "date_iso": pages.iso(doc.date, self.tz),
            "date_text": i18n.format_datetime(doc.date, doc.locale, self.tz),
            "updated_iso": pages.iso(doc.updated, self.tz) if doc.updated else "",
            "updated_text": i18n.format_datetime(doc.updated, doc.locale, self.tz)
            if doc.updated
            else "",
            "body": body,
            "gallery": pages.gallery(doc, photos, first_is_eager=figures == 0),
            "doc_tags": _doc_tags(doc, tags),
            "preview_notice": notice,
            "stale": pages.stale_notice(
                doc, bundle, self.stale.get((doc.bundle, doc.locale)), s.default_locale
            ),
            "social": social.card(s, bundle, doc, photos=photos, crops=self.crops(doc), tz=self.tz),
        }
        return self.page(doc.url, template, context)

    # ---- values shared by the pages of a locale, and per document

    def shared(self, loc: str) -> dict[str, Any]:
        s = self.settings
        return {
            "lang": loc,
            "text_direction": i18n.babel_locale(loc).text_direction,
            "site_title": s.localized(s.title, loc),
            "publisher_name": s.localized(s.publisher.name, loc) or s.localized(s.title, loc),
            "home_url": self.homes.get(loc, urls.home(s, loc)),
            "tags_url": urls.tags_index(s, loc),
            "feed_url": urls.feed(s, loc),
            "css_url": urls.static(s, "style.css"),
            "js_url": urls.static(s, "site.js"),
            "locale_names": {lo: i18n.locale_name(lo) for lo in s.locales},
            "nav_pages": self.site.pages.get(loc, ()),
            "canonical": None,
            "hreflang": (),
            "preview_notice": None,
        }

    def photos(self, doc: Translation) -> Mapping[str, PhotoImage]:
        key = (doc.bundle, doc.locale)
        if key not in self._images:
            self._images[key] = self.images.for_page(doc)
        return self._images[key]

    def teaser(self, doc: Translation) -> pages.Teaser:
        key = (doc.bundle, doc.locale)
        if key not in self._teasers:
            lead = doc.lead_photo
            self._teasers[key] = pages.Teaser(
                url=doc.url,
                title=doc.title,
                summary=doc.summary,
                date_iso=pages.iso(doc.date, self.tz),
                date_text=i18n.format_date(doc.date, doc.locale, self.tz),
                image=self.photos(doc).get(lead.src) if lead is not None else None,
            )
        return self._teasers[key]

    def crops(self, doc: Translation) -> tuple[Any, ...]:
        crops_for_page = getattr(self.images, "crops_for_page", None)
        if crops_for_page is None:
            return ()
        return tuple((crop.photo, crop.variant) for crop in crops_for_page(doc))

    def figure_renderer(self) -> Callable[..., str]:
        template = self.template("partials/figure.html")
        return lambda **values: self.render_template(template, values)

    # ---- Jinja calls, with errors turned into TemplateErrors

    def page(self, url: str, template: str, context: dict[str, Any]) -> OutputFile:
        data = self.render(template, context).encode("utf-8")
        return OutputFile(path=urls.output_path(self.settings, url), data=data)

    def template(self, name: str) -> jinja2.Template:
        if name not in self.templates:
            try:
                self.templates[name] = self.env.get_template(name)
            except Exception as exc:
                raise template_error(exc, name) from None
        return self.templates[name]

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self.render_template(self.template(name), context)

    def render_template(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            return template.render(context)
        except Exception as exc:
            raise template_error(exc, template.filename or template.name or "?") from None


def template_error(exc: Exception, name: str) -> TemplateError:
    """A ``TemplateError`` naming the template file and line an exception came from."""
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


# --------------------------------------------------------------------------- helpers


def _tag_url(settings: Settings, tag: Tag) -> Callable[[int], str]:
    return lambda n: urls.tag(settings, tag.locale, tag.slug, n)


def _doc_tags(doc: Translation, tags: Mapping[str, Tag]) -> list[Tag]:
    found = (tags.get(name) or tags.get(urls.slugify(name)) for name in doc.tags)
    return [tag for tag in found if tag is not None]


def _tags_by_name(tags: tuple[Tag, ...]) -> dict[str, Tag]:
    """Tags of a locale by name as written, and by slug for differently cased spellings."""
    by_name: dict[str, Tag] = {}
    for tag in tags:
        by_name.setdefault(tag.name, tag)
    for tag in tags:
        by_name.setdefault(urls.slugify(tag.name), tag)
    return by_name
