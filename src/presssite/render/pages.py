"""The render stage: the site model in, every HTML page out, as ``OutputFile``s.

Templates come from the site's ``templates/`` folder over the built-in theme (a site
template of the same name wins; ``theme/<name>`` always reaches the theme's own, so an
override can extend it: ``templating``). Templates are handed ready-made values (URLs,
alternates, localized dates, planned ``PhotoImage``s) and never touch the filesystem;
every label in them goes through gettext, with the locale's catalogs installed before
that locale's pages are rendered. Errors in templates become ``TemplateError``s naming
file and line.

``plan_pages`` lists every page as a ``PageJob`` before anything is rendered, with a key
that hashes every input of the page (see ``PageKeys``), so a build renders only the pages
whose key it has not seen; ``make_pages`` renders a list of jobs, split across forked
worker processes on large sites (``parallel``). Jinja is imported only when something is
rendered, so a rebuild that renders nothing does not pay for it.
"""

from __future__ import annotations

import functools
import gettext
import logging
import pickle
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from presssite import parallel, urls
from presssite.cache.store import BuildCache
from presssite.model import OutputFile, PhotoImage, Site, Tag, Translation
from presssite.render import context as pages
from presssite.render import i18n, social
from presssite.render.keys import PageKeys, doc_tags, page_count, tags_by_name
from presssite.render.templates import (
    KIND_TEMPLATES,
    NOT_FOUND,
    template_error,
    warm_templates,
)
from presssite.settings import Settings

if TYPE_CHECKING:
    import jinja2


log = logging.getLogger(__name__)

PARALLEL_THRESHOLD = 400  # pages; fewer are rendered here: a pool would cost more than it saves


class ImageLookup(Protocol):
    """The planned images of a page's photos, by the photo's ``src`` (images.py).

    A lookup may also offer ``crops_for_page(doc)``: the structured-data crops of the
    page's lead photos (objects with a ``variant``), listed as the article's images, and
    ``kit_for_page(doc)``: the release's press kit (``model.PressKit``) or None.
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
    renderer = _Renderer(site, images, env, preview=preview, stale=stale or {})
    jobs = plan_pages(site)
    return [OutputFile(path=job.path, data=data) for job, data in renderer.render_jobs(jobs)]


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to render: where it goes, what it shows, and a hash of its inputs."""

    path: str  # output-relative
    kind: str  # "root", "404", "home", "tags", "tag", "release" or "page"
    locale: str
    ref: tuple[Any, ...]  # page number; (tag slug, page number); (bundle id,)
    key: str = ""  # "" when no keys were asked for


# How a rendered page is kept: (path, bytes) -> (sha256, size, the inode and mtime of
# the output file it was written to, if it was: ``staging.Staging.write``).
Keep = Callable[[str, bytes], tuple[str, int, "tuple[int, int] | None"]]


@dataclass(frozen=True, slots=True)
class MadePage:
    """A page rendered: the hash of its bytes (kept by ``keep``) and its internal links."""

    key: str  # the job's
    sha: str
    size: int
    links: bytes  # of an HTML page, from ``links``: ``pack_links`` of them
    staged: tuple[int, int] | None = None  # the output file ``keep`` wrote: inode, mtime


def plan_pages(site: Site, keys: PageKeys | None = None) -> list[PageJob]:
    """Every page of the site, in output order, with its key when ``keys`` are given."""
    s = site.settings
    out = [
        PageJob(urls.output_path(s, urls.root(s)), "root", s.default_locale, ()),
        PageJob(NOT_FOUND, "404", s.default_locale, ()),
    ]
    for loc in s.locales:
        releases = site.releases.get(loc, ())
        for n in range(1, page_count(len(releases), s.page_size) + 1):
            out.append(PageJob(urls.output_path(s, urls.home(s, loc, n)), "home", loc, (n,)))
        out.append(PageJob(urls.output_path(s, urls.tags_index(s, loc)), "tags", loc, ()))
        for tag in site.tags.get(loc, ()):
            for n in range(1, page_count(len(tag.releases), s.page_size) + 1):
                path = urls.output_path(s, urls.tag(s, loc, tag.slug, n))
                out.append(PageJob(path, "tag", loc, (tag.slug, n)))
        for kind, docs in (("release", releases), ("page", site.pages.get(loc, ()))):
            for doc in docs:
                out.append(PageJob(urls.output_path(s, doc.url), kind, loc, (doc.bundle,)))
    if keys is None:
        return out
    return [PageJob(job.path, job.kind, job.locale, job.ref, keys.key(job)) for job in out]


def make_pages(
    site: Site,
    images: ImageLookup,
    env: jinja2.Environment,
    jobs: Sequence[PageJob],
    *,
    store: BuildCache,
    bodies: Any = None,
    preview: bool = False,
    stale: Mapping[tuple[str, str], str] | None = None,
    workers: int | None = None,
    links: Callable[[str, bytes], tuple[tuple[str, str | None], ...]] | None = None,
    meanwhile: Callable[[], Any] | None = None,
    each: Callable[[list[MadePage]], Any] | None = None,
    keep: Keep | None = None,
) -> list[MadePage]:
    """Render ``jobs`` into ``store``'s blobs, here or in forked workers, in job order.

    ``bodies`` (``docstore.Bodies``) supplies the bodies the site's translations leave
    out. ``links(path, data)`` reads each HTML page's internal links while its bytes are
    at hand (``refcheck.links``), for the reference check. Templates are loaded before
    workers fork, so each compiles them only once. ``meanwhile`` runs in this process
    while workers render, then ``each`` with every slice of pages made (``map_chunks``).
    ``keep(path, data)``, when given, keeps each page instead of ``store.put`` (and may
    write its output file: ``staging.Staging.write``).
    """
    count = parallel.workers_for(len(jobs), jobs=workers, threshold=PARALLEL_THRESHOLD)
    renderer = _Renderer(site, images, env, preview=preview, stale=stale or {}, bodies=bodies)
    if count > 1:
        renderer.preload({job.kind for job in jobs})
    if keep is None:
        keep = functools.partial(_put_blob, store)
    context = (renderer, keep, links)
    return parallel.map_chunks(
        _make_chunk, context, jobs, workers=count, meanwhile=meanwhile, each=each
    )


def pack_links(links: Sequence[tuple[str, str | None]]) -> bytes:
    """A page's links, compressed: a large site keeps hundreds of thousands of them.

    Pickled (the build cache's own format), which packs and unpacks tuples as they are
    faster than JSON: a cold build packs every page's links, and checks unpack them.
    """
    return zlib.compress(pickle.dumps(tuple(map(tuple, links)), pickle.HIGHEST_PROTOCOL), 1)


def unpack_links(data: bytes) -> tuple[tuple[str, str | None], ...]:
    links: tuple[tuple[str, str | None], ...] = pickle.loads(zlib.decompress(data))
    return links


def render_pages(
    site: Site,
    images: ImageLookup,
    env: jinja2.Environment,
    jobs: Sequence[PageJob],
    *,
    bodies: Any = None,
    preview: bool = False,
    stale: Mapping[tuple[str, str], str] | None = None,
) -> list[tuple[PageJob, bytes]]:
    """A few pages, rendered here: (job, page bytes) in job order (``edits``)."""
    renderer = _Renderer(site, images, env, preview=preview, stale=stale or {}, bodies=bodies)
    return list(renderer.render_jobs(jobs))


def _make_chunk(context: tuple[Any, ...], jobs: Sequence[PageJob]) -> list[MadePage]:
    renderer, keep, read_links = context
    out = []
    for job, data in renderer.render_jobs(jobs):
        sha, size, staged = keep(job.path, data)
        found = read_links(job.path, data) if read_links and job.path.endswith(".html") else ()
        out.append(MadePage(job.key, sha, size, pack_links(found), staged))
    return out


def _put_blob(store: BuildCache, _path: str, data: bytes) -> tuple[str, int, None]:
    return (*store.put(data), None)


# --------------------------------------------------------------------------- rendering


class _Renderer:
    """Renders page jobs: templates fetched once, per-locale values built once.

    Its caches (teasers, planned images, per-locale contexts, paginated lists) live as
    long as the renderer, which is one build's (or one ``render_site`` call's).
    """

    def __init__(
        self,
        site: Site,
        images: ImageLookup,
        env: jinja2.Environment,
        *,
        preview: bool,
        stale: Mapping[tuple[str, str], str],
        bodies: Any = None,
    ) -> None:
        self.site = site
        self.stale = stale
        self.settings = site.settings
        self.images = images
        self.env = env
        self.preview = preview
        self.bodies = bodies
        self.tz = self.settings.tz
        self.homes = {loc: urls.home(self.settings, loc) for loc in self.settings.locales}
        self.templates: dict[str, jinja2.Template] = {}
        self._images: dict[tuple[str, str], Mapping[str, PhotoImage]] = {}
        self._teasers: dict[tuple[str, str], pages.Teaser] = {}
        self._shared: dict[str, dict[str, Any]] = {}
        self._lists: dict[tuple[str, str], list[Any]] = {}
        self._tags: dict[str, dict[str, Tag]] = {}
        self._tag_names: dict[str, dict[str, Tag]] = {}
        catalogs = getattr(env, "catalogs", None)
        if not isinstance(catalogs, dict) or not set(self.settings.locales) <= catalogs.keys():
            catalogs = i18n.catalogs(self.settings)  # a plain environment, or locales changed
        self.catalogs: Mapping[str, gettext.NullTranslations] = catalogs
        self._installed: str | None = None

    def render_jobs(self, jobs: Iterable[PageJob]) -> Iterator[tuple[PageJob, bytes]]:
        """Each job's page, in order; the locale's catalog is installed as it changes."""
        for job in jobs:
            if job.locale != self._installed:
                i18n.install_translations(self.env, self.catalogs[job.locale])
                self._installed = job.locale
            yield job, self.make(job)

    def preload(self, kinds: set[str]) -> None:
        """Compile the templates of ``kinds`` and the ones they use now (before workers
        fork), so that no worker compiles one again."""
        for kind in kinds:
            for name in KIND_TEMPLATES[kind]:
                self.template(name)
        warm_templates(self.env)

    def make(self, job: PageJob) -> bytes:
        loc = job.locale
        if job.kind == "root":
            return self.root()
        if job.kind == "404":
            return self.not_found()
        shared = self.shared(loc)
        s = self.settings
        if job.kind == "home":
            (number,) = job.ref
            page = self.paginated(loc, "", self.site.releases.get(loc, ()))[number - 1]
            switcher = pages.list_alternates(s, loc, page.url, self.homes)
            links = pages.hreflang_links(s, switcher, urls.root(s)) if number == 1 else ()
            return self.list_page(shared, "home.html", page, switcher, links, {})
        if job.kind == "tags":
            return self.tags_index(shared, loc)
        if job.kind == "tag":
            slug, number = job.ref
            tag = self.tags(loc)[slug]
            page = self.paginated(loc, slug, tag.releases)[number - 1]
            switcher = pages.list_alternates(s, loc, page.url, self.homes)
            return self.list_page(shared, "tag.html", page, switcher, (), {"tag": tag})
        (bundle_id,) = job.ref
        doc = self.site.bundles[bundle_id].translations[loc]
        template = "release.html" if job.kind == "release" else "page.html"
        if self.bodies is not None:
            doc = self.bodies.full(doc)
        return self.document(shared, doc, template, self.tag_names(loc))

    def paginated(self, loc: str, slug: str, items: Sequence[Translation]) -> list[Any]:
        key = (loc, slug)
        if key not in self._lists:
            s = self.settings
            url_for = (lambda n: urls.tag(s, loc, slug, n)) if slug else _home_url(s, loc)
            self._lists[key] = pages.paginate(items, s.page_size, loc, url_for)
        return self._lists[key]

    def tags(self, loc: str) -> dict[str, Tag]:
        if loc not in self._tags:
            self._tags[loc] = {tag.slug: tag for tag in self.site.tags.get(loc, ())}
        return self._tags[loc]

    def tag_names(self, loc: str) -> dict[str, Tag]:
        if loc not in self._tag_names:
            self._tag_names[loc] = tags_by_name(self.site.tags.get(loc, ()))
        return self._tag_names[loc]

    # ---- pages

    def root(self) -> bytes:
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
        return self.page("root.html", context)

    def not_found(self) -> bytes:
        loc = self.settings.default_locale
        context = {
            **self.shared(loc),
            "switcher": pages.list_alternates(self.settings, "", "", self.homes),
        }
        return self.page(NOT_FOUND, context)

    def tags_index(self, shared: dict[str, Any], loc: str) -> bytes:
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
                "tags": self.site.tags.get(loc, ()),
            },
        )

    def list_page(
        self,
        shared: dict[str, Any],
        template: str,
        page: Any,
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
            "teasers": [self.teaser(doc) for doc in page.items],
        }
        return self.page(template, context)

    def document(
        self, shared: dict[str, Any], doc: Translation, template: str, tags: Mapping[str, Tag]
    ) -> bytes:
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
            "doc_tags": doc_tags(doc, tags),
            "preview_notice": notice,
            "stale": pages.stale_notice(
                doc, bundle, self.stale.get((doc.bundle, doc.locale)), s.default_locale
            ),
            "social": social.card(s, bundle, doc, photos=photos, crops=self.crops(doc), tz=self.tz),
            "press_kit": getattr(self.images, "kit_for_page", lambda _doc: None)(doc),
        }
        return self.page(template, context)

    # ---- values shared by the pages of a locale, and per document

    def shared(self, loc: str) -> dict[str, Any]:
        if loc not in self._shared:
            self._shared[loc] = self._make_shared(loc)
        return self._shared[loc]

    def _make_shared(self, loc: str) -> dict[str, Any]:
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
        return lambda **values: self.render_template(template, {"lang": self._installed, **values})

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


# --------------------------------------------------------------------------- helpers


def _home_url(settings: Settings, loc: str) -> Callable[[int], str]:
    return lambda n: urls.home(settings, loc, n)
