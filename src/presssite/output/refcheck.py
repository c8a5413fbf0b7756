"""Reference checking: every internal link and image of the rendered pages must resolve.

After rendering, and before anything is written, each page's ``href``, ``src`` and
``srcset`` values (and the ``og:image``, ``og:url`` and ``twitter:image`` of its head)
that point into the site are resolved to output files and looked up in
the set of files the build will publish: pages, images, static files, attachments,
feeds. One regex pass over each page's bytes keeps this fast for thousands of pages.

A broken reference that comes from a document's body is reported against its Markdown
file and line: the body's references (``Translation.references``) are matched by the
target as written. Anything else comes from a template, and is reported once per
target with the first page it was found on and how many pages share it.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin

from presssite import urls
from presssite.cache.store import BuildCache
from presssite.errors import ContentError, PresssiteError, TemplateError
from presssite.model import OutputFile, Reference, Site, Translation
from presssite.settings import Settings

log = logging.getLogger(__name__)

_ATTR = re.compile(rb"""\s(href|src|srcset)\s*=\s*"([^"]*)\"""")
_ATTR_NAMES = (b"href", b"src")  # what an _ATTR match has right after its first byte
_SPACE = frozenset(b" \t\n\r\f\v")  # what ``\s`` matches in a bytes pattern
# Link-preview URLs: <meta property="og:image" content="...">, og:url, twitter:image.
_META = re.compile(
    rb"""<meta\s+(?:property|name)="((?:og|twitter):(?:url|image))"\s+content="([^"]*)\""""
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
NOT_PUBLISHED = "not published"  # under the base path, but no such output file
OUTSIDE = "outside the base path"  # a site-absolute path that misses the base path


@dataclass(frozen=True)
class BrokenReference:
    """An internal link or image that no published file answers."""

    url: str  # the URL as the page has it ("/portal/en/press/nope/")
    page: str  # output path of the (first) page that has it
    reason: str  # NOT_PUBLISHED or OUTSIDE
    source: Path | None = None  # the Markdown file, when the reference is in a body
    line: int | None = None  # its line there
    pages: int = 1  # how many pages have it (a template reference is on many)

    def error(self, settings: Settings) -> PresssiteError:
        """The reference as an error naming where to fix it."""
        if self.reason == OUTSIDE:
            hint = f"site paths start with the base path {settings.base_path}"
            what = f"link to {self.url} is outside the site's base path {settings.base_path}"
        else:
            hint = "check the spelling; drafts, embargoed and expired releases are not published"
            what = f"link to {self.url}: the build publishes no such page or file"
        if self.source is not None:
            return ContentError(what, path=self.source, line=self.line, hint=hint)
        more = f" (and {self.pages - 1} more page{'s' if self.pages > 2 else ''})"
        return TemplateError(
            f"{what}, on {self.page}{more if self.pages > 1 else ''}",
            hint=hint + "; the link comes from a template (the site's templates/ or the theme)",
        )


def warn(settings: Settings, broken: Iterable[BrokenReference]) -> None:
    """Log each broken reference as a warning naming where to fix it (a build that is
    not ``--strict``, and the dev server's quick path, go on with them)."""
    for problem in broken:
        log.warning("%s", problem.error(settings).format(relative_to=settings.root))


Links = tuple[tuple[str, "str | None"], ...]


def check(
    site: Site, pages: Sequence[OutputFile], published: Collection[str]
) -> list[BrokenReference]:
    """The broken internal references of ``pages`` (rendered HTML) against ``published``.

    ``published`` holds the output-relative paths of every file the build will write.
    """
    settings = site.settings
    found = (
        (page.path, links(settings, page.path, page.data))
        for page in pages
        if page.data is not None and page.path.endswith(".html")
    )
    return check_links(site, found, published)


def links(settings: Settings, path: str, data: bytes) -> Links:
    """Every distinct internal reference of the page at output ``path``, resolved.

    Each is (the URL as the page has it, the output path it needs, or None when it is
    outside the base path); external URLs are left out. This is the costly part of a
    check (one regex pass over the page), so a build keeps it with the page.
    """
    base, base_url = settings.base_path, settings.base_url
    page_url = ""  # made when a relative URL needs it
    seen: set[bytes] = set()
    out: list[tuple[str, str | None]] = []
    for match in (*_attributes(data), *_META.finditer(data)):
        attr, raw = match.groups()
        if raw in seen:
            continue  # most of a page's links are the template's, many twice
        seen.add(raw)
        srcset = attr == b"srcset"
        found = _resolved(base, base_url, raw, srcset)
        if found is None:  # a relative URL: it depends on the page's own
            if not page_url:
                page_url = urls.url_for_output(settings, path.removesuffix("index.html"))
            found = _resolve(base, base_url, raw, srcset, page_url)
        out.extend(found or ())
    return tuple(dict.fromkeys(out))


@functools.lru_cache(maxsize=4096)
def _resolved(base: str, base_url: str, raw: bytes, srcset: bool) -> Links | None:
    """``_resolve`` of a value on any page; None when it has a relative URL.

    Cached: most values (the template's links, the tag pages') are on many pages, and
    one that does not depend on the page resolves the same on all of them.
    """
    return _resolve(base, base_url, raw, srcset, None)


def _resolve(
    base: str, base_url: str, raw: bytes, srcset: bool, page_url: str | None
) -> Links | None:
    """The internal references of an attribute value as written in the page at
    ``page_url``: (URL, output path or None when outside ``base``), external URLs left
    out. None when a URL is relative and ``page_url`` is None."""
    out: list[tuple[str, str | None]] = []
    for url in _urls(raw, srcset):
        if url.startswith("/") and not url.startswith("//"):
            target = _site_path(base, url)  # the page's own URL does not matter
        elif not url or url.startswith("#"):
            continue
        elif url.startswith(base_url):
            target = _site_path(base, base + url[len(base_url) :])
        elif url.startswith("//") or _SCHEME.match(url):
            continue  # another site, mailto:, tel:, data:
        elif page_url is None:
            return None
        else:
            target = _site_path(base, urljoin(page_url, url))
        out.append((url, target))
    return tuple(out)


def _urls(raw: bytes, srcset: bool) -> list[str]:
    """The URLs of an attribute value as written in a page."""
    value = raw.decode("utf-8", "replace")
    value = (html.unescape(value) if "&" in value else value).strip()
    return [part.split()[0] for part in value.split(",") if part.strip()] if srcset else [value]


def _attributes(data: bytes) -> list[re.Match[bytes]]:
    """``_ATTR.finditer(data)``, the same matches, found about twice as fast.

    A pattern that starts with ``\\s`` makes the regex engine try every position of the
    page; the names it needs after that byte are found by ``bytes.find``, which skips
    through the page, and ``_ATTR`` is then tried only there, left to right without
    overlaps, as ``finditer`` would.
    """
    starts = []
    find = data.find
    for name in _ATTR_NAMES:
        i = find(name, 1)
        while i != -1:
            if data[i - 1] in _SPACE:
                starts.append(i - 1)
            i = find(name, i + 1)
    starts.sort()
    found = []
    end = 0
    match = _ATTR.match
    for start in starts:
        if start >= end:
            m = match(data, start)
            if m is not None:
                found.append(m)
                end = m.end()
    return found


def check_links(
    site: Site, pages: Iterable[tuple[str, Links]], published: Collection[str]
) -> list[BrokenReference]:
    """``check`` from each page's ``links``: (output path, links) in page order."""
    settings = site.settings
    docs = {urls.output_path(settings, d.url): d for d in site.translations()}
    found: list[BrokenReference] = []
    from_templates: dict[str, BrokenReference] = {}
    for path, page_links in pages:
        broken = [
            (url, OUTSIDE if rel is None else NOT_PUBLISHED)
            for url, rel in page_links
            if _is_broken(rel, published)
        ]
        if not broken:
            continue
        doc = docs.get(path)
        for url, reason in broken:
            refs = _matching(doc, url, settings) if doc is not None else []
            if refs:
                assert doc is not None
                found.extend(
                    BrokenReference(url, path, reason, source=doc.path, line=ref.line)
                    for ref in refs
                )
                continue
            seen = from_templates.get(url)
            if seen is None:
                from_templates[url] = BrokenReference(url, path, reason)
            else:
                from_templates[url] = BrokenReference(url, seen.page, reason, pages=seen.pages + 1)
    unique = list(dict.fromkeys(found))
    return [*unique, *from_templates.values()]


def check_pages(
    site: Site,
    pages: Sequence[tuple[str, bytes]],
    published: Collection[str],
    *,
    unpack: Callable[[bytes], Links],
    store: BuildCache | None,
    name: str,
    before: str = "",
    after: str = "",
    rendered: Collection[str] = (),
) -> list[BrokenReference]:
    """``check_links`` of a build: each page as (output path, its packed links).

    Which pages have a broken link depends only on each page's links and the set of
    published paths. The build cache keeps the pages that had one, with the pages
    (``pages_state``) and the paths linked to at that check. A build that started from
    those pages (``before``: its page index as loaded) and still publishes every one of
    those paths knows that the pages it did not render (all but ``rendered``) link as
    they did, to paths still there: only the pages rendered and the pages that had a
    broken link are unpacked and looked at (unpacking every page's links is most of a
    check's time). Else every page is. ``after`` is the state of this build's pages for
    the next check. The pages with a broken link are checked against the current site,
    so lines still follow the Markdown files.
    """
    kept = store.load(name) if store is not None else None
    linked: set[str] = set()  # every path a page links to (of pages gone too: harmless)
    if (
        isinstance(kept, tuple)
        and len(kept) == 3
        and before
        and kept[0] == before
        and not any(_is_broken(path, published) for path in kept[1])
    ):
        packed = dict(pages)
        linked.update(kept[1])
        again = [path for path in dict.fromkeys((*kept[2], *rendered)) if path in packed]
        found = ((path, unpack(packed[path])) for path in again)
    else:
        # One page's links unpacked at a time: all of a large site's at once would take
        # hundreds of megabytes. The few pages with a broken link are unpacked again below.
        found = ((path, unpack(data)) for path, data in pages)
    wanted = frozenset(pages_with_broken(found, published, linked))
    if store is not None:
        store.save(name, (after, tuple(linked), wanted))
    return check_links(site, ((p, unpack(d)) for p, d in pages if p in wanted), published)


def pages_state(pages: Iterable[tuple[str, str]]) -> str:
    """A hash of a build's pages as (output path, hash of its bytes), in their order: a
    page's links follow from its bytes."""
    h = hashlib.sha256()
    for path, sha in pages:
        h.update(f"{path}\0{sha}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def pages_with_broken(
    pages: Iterable[tuple[str, Links]], published: Collection[str], linked: set[str] | None = None
) -> list[str]:
    """The output paths of the pages that have a broken link (``check_links`` reports
    only these pages' links, so it can be given only them); the paths they link to are
    added to ``linked``."""
    out = []
    for path, page_links in pages:
        rels = {rel for _, rel in page_links}
        if any(_is_broken(rel, published) for rel in rels):
            out.append(path)
        if linked is not None:
            linked.update(rel for rel in rels if rel is not None)
    return out


def _is_broken(rel: str | None, published: Collection[str]) -> bool:
    return rel is None or (rel not in published and f"{rel}/index.html" not in published)


@functools.lru_cache(maxsize=4096)
def _site_path(base: str, url: str) -> str | None:
    """The output path of a site-absolute URL; None when it is outside ``base``.

    Cached: the links of the templates (home, topics, feed, style sheet) are on every page.
    """
    path = unquote(url.split("#", 1)[0].split("?", 1)[0])
    if not path.startswith(base):
        return None
    rel = path[len(base) :]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def _matching(doc: Translation, url: str, settings: Settings) -> list[Reference]:
    """The body references of ``doc`` that became ``url`` in its page.

    Targets are compared without fragment and percent-encoding, since markdown-it
    encodes what the author wrote literally (and ``content.markdown`` records it decoded).
    """
    wanted = unquote(url.split("#", 1)[0])
    out = []
    for ref in doc.references:
        target = unquote(ref.target.split("#", 1)[0])
        if ref.kind == "url":
            candidate = target
        elif ref.kind in ("photo", "file"):
            candidate = doc.url + posixpath.normpath(target.split("?", 1)[0])
        else:
            continue
        if wanted in (candidate, candidate.split("?", 1)[0]):
            out.append(ref)
    return out
