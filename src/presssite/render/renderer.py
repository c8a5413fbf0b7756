"""Rendering one page: its template's context, built from what the page reads.

Every value a page shows is taken through the page's ``Reads`` (``dependencies``), and
its templates get views of translations and tags that record the fields they read, so
each rendered page comes with the list of what it depends on. Templates are fetched
once per renderer; Jinja errors become ``TemplateError``s naming file and line.
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from presssite import urls
from presssite.content import placeholders
from presssite.model import ListPage, PhotoImage, Translation, own_body
from presssite.render import browse, i18n, social
from presssite.render import context as pages
from presssite.render.dependencies import Deps, Inputs
from presssite.render.reads import Reads
from presssite.render.templates import KIND_TEMPLATES, NOT_FOUND, template_error, warm_templates
from presssite.render.views import TagView

if TYPE_CHECKING:
    import jinja2

    from presssite.render.pages import PageJob

log = logging.getLogger(__name__)


class Renderer:
    """Renders page jobs, each with the record of what it read.

    ``bodies`` (``content.store.Bodies``) gives the site's translations their bodies back.
    """

    def __init__(
        self, inputs: Inputs, env: jinja2.Environment, *, preview: bool, bodies: Any = None
    ) -> None:
        self.inputs = inputs
        self.site = inputs.site
        self.settings = inputs.site.settings
        self.env = env
        self.preview = preview
        self.bodies = bodies
        self.tz = self.settings.tz
        self.homes = {loc: urls.home(self.settings, loc) for loc in self.settings.locales}
        self.templates: dict[str, jinja2.Template] = {}
        self._shared: dict[str, dict[str, Any]] = {}
        catalogs = getattr(env, "catalogs", None)
        if not isinstance(catalogs, dict) or not set(self.settings.locales) <= catalogs.keys():
            catalogs = i18n.catalogs(self.settings)  # a plain environment, or locales changed
        self.catalogs: Mapping[str, gettext.NullTranslations] = catalogs
        self._installed: str | None = None

    def render_jobs(self, jobs: Iterable[PageJob]) -> Iterator[tuple[PageJob, bytes, Deps]]:
        """Each job's page and what it read, in order; catalogs installed as locales change."""
        for job in jobs:
            if job.locale != self._installed:
                i18n.install_translations(self.env, self.catalogs[job.locale])
                self._installed = job.locale
            reads = self.inputs.reads()
            reads.templates(job.kind)
            data = self.make(job, reads)
            yield job, data, reads.deps()

    def preload(self, kinds: set[str]) -> None:
        """Compile the templates of ``kinds`` and the ones they use now (before workers
        fork), so that no worker compiles one again."""
        for kind in kinds:
            for name in KIND_TEMPLATES[kind]:
                self.template(name)
        warm_templates(self.env)

    def make(self, job: PageJob, reads: Reads) -> bytes:
        loc, s = job.locale, self.settings
        if job.kind == "root":
            return self.root(reads)
        if job.kind == "404":
            return self.not_found(reads)
        shared = self.navigation(reads, loc)
        if job.kind == "home":
            (number,) = job.ref
            page = self.list_page(reads, loc, "", number)
            switcher = pages.list_alternates(s, loc, page.url, self.homes)
            links = pages.hreflang_links(s, switcher, urls.root(s)) if page.front else ()
            return self.listing(reads, shared, "home.html", page, switcher, links, {})
        if job.kind == "tags":
            return self.tags_index(reads, shared, loc)
        if job.kind in browse.TEMPLATES:
            return browse.make(self, job, reads, shared)
        if job.kind == "tag":
            slug, number = job.ref
            page = self.list_page(reads, loc, slug, number)
            switcher = pages.list_alternates(s, loc, page.url, self.homes)
            extra = {"tag": reads.tag(loc, slug)}
            return self.listing(reads, shared, "tag.html", page, switcher, (), extra)
        (bundle_id,) = job.ref
        doc = reads.translation(bundle_id, loc)
        if self.bodies is not None:
            doc = self.bodies.full(doc)
        template = "release.html" if job.kind == "release" else "page.html"
        return self.document(reads, shared, reads.doc(doc), template)

    def list_page(self, reads: Reads, loc: str, slug: str, number: int) -> ListPage:
        """Page ``number`` of a locale's releases (``slug`` "") or of a tag's."""
        s = self.settings
        span = reads.list_span(loc, slug, number)
        items = reads.list_items(loc, slug, span.start, span.stop)

        def url_for(n: int) -> str:
            return urls.tag(s, loc, slug, n) if slug else urls.home(s, loc, n)

        return pages.list_page(loc, span, items, url_for)

    # ---- pages

    def root(self, reads: Reads) -> bytes:
        s = self.settings
        loc = s.default_locale
        switcher = pages.list_alternates(s, "", "", self.homes)
        context = {
            **self.navigation(reads, loc),
            "canonical": urls.absolute(s, urls.root(s)),
            "hreflang": pages.hreflang_links(s, switcher, urls.root(s)),
            "switcher": switcher,
            "homes": self.homes,
            "default_locale": loc,
            "titles": {lo: s.localized(s.title, lo) for lo in s.locales},
        }
        return self.page("root.html", context)

    def not_found(self, reads: Reads) -> bytes:
        loc = self.settings.default_locale
        context = {
            **self.navigation(reads, loc),
            "switcher": pages.list_alternates(self.settings, "", "", self.homes),
        }
        return self.page(NOT_FOUND, context)

    def tags_index(self, reads: Reads, shared: dict[str, Any], loc: str) -> bytes:
        s = self.settings
        indexes = {lo: urls.tags_index(s, lo) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, indexes[loc], indexes)
        return self.page(
            "tags.html",
            {
                **shared,
                "canonical": urls.absolute(s, indexes[loc]),
                "hreflang": pages.hreflang_links(s, switcher, indexes[s.default_locale]),
                "switcher": switcher,
                "tags": reads.tags(loc),
            },
        )

    def listing(
        self,
        reads: Reads,
        shared: dict[str, Any],
        template: str,
        page: ListPage,
        switcher: tuple[Any, ...],
        hreflang: tuple[pages.HreflangLink, ...],
        extra: dict[str, Any],
    ) -> bytes:
        context = {
            **shared,
            **extra,
            "canonical": urls.absolute(self.settings, page.url),
            "hreflang": hreflang,
            "switcher": switcher,
            "list_page": page,
            "teasers": [self.teaser(reads, doc) for doc in page.items],
        }
        return self.page(template, context)

    def document(
        self, reads: Reads, shared: dict[str, Any], doc: Translation, template: str
    ) -> bytes:
        s = self.settings
        view = doc
        bundle = reads.bundle(doc.bundle)
        assert bundle is not None
        switcher = pages.document_alternates(s, bundle, doc.locale, self.homes)
        photos = reads.photos(view)
        resolver = PageLinks(self, view, photos)
        documents = resolver.documents(reads)
        body, figures = placeholders.resolve(own_body(doc), resolver, documents)
        notice = None
        if self.preview:
            until = i18n.format_datetime(doc.embargo, doc.locale, self.tz) if doc.embargo else ""
            notice = pages.preview_notice(reads.hidden(view), until)
        tags = self.doc_tags(reads, view)
        context = {
            **shared,
            "canonical": urls.absolute(s, doc.url),
            "hreflang": pages.hreflang_links(s, switcher, pages.x_default(s, bundle)),
            "switcher": switcher,
            "doc": doc,
            "date_iso": pages.iso(doc.date, self.tz),
            "date_text": i18n.format_datetime(doc.date, doc.locale, self.tz),
            "updated_iso": pages.iso(doc.updated, self.tz) if doc.updated else "",
            "updated_text": i18n.format_datetime(doc.updated, doc.locale, self.tz)
            if doc.updated
            else "",
            "body": Markup(body),
            "gallery": pages.gallery(view, photos, first_is_eager=figures == 0),
            "doc_tags": tags,
            "preview_notice": notice,
            "stale": pages.stale_notice(view, bundle, reads.stale(view), s.default_locale),
            "social": social.card(
                s, bundle, view, photos=photos, crops=self.crops(reads, view), tz=self.tz
            ),
            "press_kit": reads.inputs.kit(doc),  # read with the photos (their value holds it)
        }
        return self.page(template, context)

    # ---- values shared by the pages of a locale, and per document

    def shared(self, loc: str) -> dict[str, Any]:
        """What every page of a locale shows that comes from the settings alone."""
        if loc not in self._shared:
            s = self.settings
            self._shared[loc] = {
                "lang": loc,
                "text_direction": i18n.babel_locale(loc).text_direction,
                "site_title": s.localized(s.title, loc),
                "publisher_name": s.localized(s.publisher.name, loc) or s.localized(s.title, loc),
                "home_url": self.homes.get(loc, urls.home(s, loc)),
                "tags_url": urls.tags_index(s, loc),
                "feed_url": urls.feed(s, loc),
                "css_url": urls.static(s, "style.css"),
                "js_url": urls.static(s, "site.js"),
                "root_js_url": urls.static(s, "root.js"),
                "icon_url": urls.static(s, "favicon.ico"),
                "locale_names": {lo: i18n.locale_name(lo) for lo in s.locales},
                "canonical": None,
                "hreflang": (),
                "preview_notice": None,
            }
        return self._shared[loc]

    def navigation(self, reads: Reads, loc: str) -> dict[str, Any]:
        """``shared`` and what every page of a locale shows of the site: its static
        pages and its sections (read through ``reads``)."""
        return {
            **self.shared(loc),
            "nav_pages": reads.nav(loc),
            **browse.nav(reads, self.settings, self.catalogs[loc], loc),
        }

    def doc_tags(self, reads: Reads, doc: Translation) -> list[TagView]:
        """The tags of a document, in its order (each name found by its slug)."""
        found = (reads.find_tag(doc.locale, urls.slugify(name)) for name in doc.tags)
        return [tag for tag in found if tag is not None]

    def teaser(self, reads: Reads, doc: Translation) -> pages.Teaser:
        s, lead = self.settings, doc.lead_photo
        return pages.Teaser(
            url=doc.url,
            title=doc.title,
            summary=doc.summary,
            date_iso=pages.iso(doc.date, self.tz),
            date_text=i18n.format_date(doc.date, doc.locale, self.tz),
            image=reads.photos(doc).get(lead.src) if lead is not None else None,
            section=browse.label(s, self.catalogs[doc.locale], doc.section, doc.locale),
            section_url=urls.section(s, doc.locale, doc.section),
        )

    def crops(self, reads: Reads, doc: Translation) -> tuple[Any, ...]:
        return tuple((crop.photo, crop.variant) for crop in reads.crops(doc))

    # ---- Jinja calls, with errors turned into TemplateErrors

    def page(self, template: str, context: dict[str, Any]) -> bytes:
        return self.render(template, context).encode("utf-8")

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


class PageLinks:
    """What a body's placeholders become on its own page (``placeholders.Resolver``):
    site paths, and figures rendered with ``partials/figure.html``."""

    def __init__(
        self, renderer: Renderer, doc: Translation, photos: Mapping[str, PhotoImage]
    ) -> None:
        self.renderer = renderer
        self.own = doc
        self.photos = photos

    def documents(self, reads: Reads) -> Callable[[str, str], Translation | None]:
        default = self.renderer.settings.default_locale

        def find(bundle_id: str, locale: str) -> Translation | None:
            found = placeholders.document(reads.bundle, default, bundle_id, locale)
            if found is None:
                log.warning("%s: link to %r: not published, link dropped", self.own.path, bundle_id)
            return found

        return find

    def figure(self, src: str, alt: str, number: int) -> str:
        photo = next((p for p in self.own.photos if p.src == src), None)
        renderer = self.renderer
        return renderer.render_template(
            renderer.template("partials/figure.html"),
            {
                "img": self.photos.get(src),
                "src_url": self.own.url + src,
                "alt": alt,
                "caption_text": photo.caption if photo is not None else alt,
                "credit": photo.credit if photo is not None else "",
                "eager": number == 1,
                "lang": self.own.locale,
            },
        )

    def photo(self, src: str) -> str | None:
        image = self.photos.get(src)
        return image.fallback.url if image is not None else self.own.url + src

    def file(self, target: str) -> str:
        return self.own.url + target

    def doc(self, found: Translation, fragment: str) -> str:
        return found.url + fragment

    def missing(self) -> str:
        return "#"
