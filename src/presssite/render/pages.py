"""The render stage: the site model in, every HTML page out, as ``OutputFile``s.

Templates come from the site's ``templates/`` folder over the built-in theme (a site
template of the same name wins; ``theme/<name>`` always reaches the theme's own, so an
override can extend it: ``render.templates``). Templates are handed ready-made values (URLs,
alternates, localized dates, planned ``PhotoImage``s) and never touch the filesystem;
every label in them goes through gettext, with the locale's catalogs installed before
that locale's pages are rendered. Errors in templates become ``TemplateError``s naming
file and line.

``plan_pages`` lists every page as a ``PageJob`` before anything is rendered;
``make_pages`` renders a list of jobs, split across forked worker processes on large
sites (``parallel``), each page with the record of what it read and the key of that
(``dependencies``): a later build renders a page again only when that key changed.
Jinja is imported only when something is rendered, so a rebuild that renders nothing
does not pay for it.
"""

from __future__ import annotations

import functools
import logging
import pickle
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from presssite import parallel, urls
from presssite.cache.store import BuildCache
from presssite.model import OutputFile, PhotoImage, Site, Translation, pickled_by_fields
from presssite.render import browse
from presssite.render.dependencies import Deps, Inputs
from presssite.render.renderer import Renderer
from presssite.render.templates import NOT_FOUND
from presssite.site import paging

if TYPE_CHECKING:
    import jinja2


log = logging.getLogger(__name__)

PARALLEL_THRESHOLD = 400  # pages; fewer are rendered here: a pool would cost more than it saves


class ImageLookup(Protocol):
    """The planned images of a page's photos, by the photo's ``src`` (images.py).

    A lookup may also offer ``kit_for_page(doc)`` (the release's press kit or None) and
    ``crops_for_page(doc)``: the structured-data crops of the
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
    inputs = Inputs(site, images, stale=stale)
    renderer = Renderer(inputs, env, preview=preview)
    jobs = plan_pages(site)
    return [OutputFile(path=job.path, data=data) for job, data, _ in renderer.render_jobs(jobs)]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to render: where it goes and what it shows."""

    path: str  # output-relative
    kind: str  # "root", "404", "home", "tags", "tag", "release", "page" or ``browse``'s
    locale: str
    ref: tuple[Any, ...]  # page number; (tag slug, page number); (bundle id,)


# How a rendered page is kept: (path, bytes) -> (sha256, size, the inode and mtime of
# the output file it was written to, if it was: ``staging.Staging.write``).
Keep = Callable[[str, bytes], tuple[str, int, "tuple[int, int] | None"]]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class MadePage:
    """A page rendered: what it read and the key of that, the hash of its bytes (kept by
    ``keep``) and its internal links."""

    path: str  # the job's
    deps: Deps  # what the render read
    key: str  # ``Inputs.key(deps)``: the hash of those values at this build
    sha: str
    size: int
    links: bytes  # of an HTML page, from ``links``: ``pack_links`` of them
    staged: tuple[int, int] | None = None  # the output file ``keep`` wrote: inode, mtime


def plan_pages(site: Site) -> list[PageJob]:
    """Every page of the site, in output order."""
    s = site.settings
    out = [
        PageJob(urls.output_path(s, urls.root(s)), "root", s.default_locale, ()),
        PageJob(NOT_FOUND, "404", s.default_locale, ()),
    ]
    for loc in s.locales:
        releases = site.releases.get(loc, ())
        for n in paging.numbers(len(releases), s.page_size):
            out.append(PageJob(urls.output_path(s, urls.home(s, loc, n)), "home", loc, (n,)))
        out.append(PageJob(urls.output_path(s, urls.tags_index(s, loc)), "tags", loc, ()))
        for tag in site.tags.get(loc, ()):
            for n in paging.numbers(len(tag.releases), s.page_size):
                path = urls.output_path(s, urls.tag(s, loc, tag.slug, n))
                out.append(PageJob(path, "tag", loc, (tag.slug, n)))
        out.extend(PageJob(path, kind, loc, ref) for path, kind, ref in browse.plan(site, loc))
        for kind, docs in (("release", releases), ("page", site.pages.get(loc, ()))):
            for doc in docs:
                out.append(PageJob(urls.output_path(s, doc.url), kind, loc, (doc.bundle,)))
    return out


def make_pages(
    inputs: Inputs,
    env: jinja2.Environment,
    jobs: Sequence[PageJob],
    *,
    store: BuildCache,
    bodies: Any = None,
    preview: bool = False,
    workers: int | None = None,
    links: Callable[[str, bytes], tuple[tuple[str, str | None], ...]] | None = None,
    meanwhile: Callable[[], Any] | None = None,
    each: Callable[[list[MadePage]], Any],
    keep: Keep | None = None,
) -> None:
    """Render ``jobs`` into ``store``'s blobs, here or in forked workers, in job order.

    ``bodies`` (``content.store.Bodies``) supplies the bodies the site's translations leave
    out. ``links(path, data)`` reads each HTML page's internal links while its bytes are
    at hand (``refcheck.links``), for the reference check. Templates are loaded before
    workers fork, so each compiles them only once. ``meanwhile`` runs in this process
    while workers render, then ``each`` with every slice of pages made, which nothing
    else keeps (``parallel.each_chunk``).
    ``keep(path, data)``, when given, keeps each page instead of ``store.put`` (and may
    write its output file: ``staging.Staging.write``).
    """
    count = parallel.workers_for(len(jobs), jobs=workers, threshold=PARALLEL_THRESHOLD)
    renderer = Renderer(inputs, env, preview=preview, bodies=bodies)
    if count > 1:
        renderer.preload({job.kind for job in jobs})
    if keep is None:
        keep = functools.partial(_put_blob, store)
    context = (renderer, keep, links)
    parallel.each_chunk(_make_chunk, context, jobs, workers=count, meanwhile=meanwhile, each=each)


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
    inputs: Inputs,
    env: jinja2.Environment,
    jobs: Sequence[PageJob],
    *,
    bodies: Any = None,
    preview: bool = False,
) -> list[tuple[PageJob, bytes, Deps]]:
    """A few pages, rendered here: (job, page bytes, what it read) in job order (``edits``)."""
    renderer = Renderer(inputs, env, preview=preview, bodies=bodies)
    return list(renderer.render_jobs(jobs))


def _make_chunk(context: tuple[Any, ...], jobs: Sequence[PageJob]) -> list[MadePage]:
    renderer, keep, read_links = context
    out = []
    for job, data, deps in renderer.render_jobs(jobs):
        sha, size, staged = keep(job.path, data)
        found = read_links(job.path, data) if read_links and job.path.endswith(".html") else ()
        key = renderer.inputs.key(deps)
        out.append(MadePage(job.path, deps, key, sha, size, pack_links(found), staged))
    return out


def _put_blob(store: BuildCache, _path: str, data: bytes) -> tuple[str, int, None]:
    return (*store.put(data), None)
