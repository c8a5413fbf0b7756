"""URL policy, in one place and pure: slugs, permalinks, output paths, absolute URLs.

Every URL the build writes is a site path that includes the ``base_url``'s path
("/portal/id/press/x/"), so the site works under a GitHub Pages sub-path; canonical
URLs, hreflang, feeds and sitemaps use ``absolute()`` of those paths.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from urllib.parse import quote

from slugify import slugify as _slugify

from presssite.model import PAGES_SECTION
from presssite.settings import Settings

_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[-_]?")


@functools.lru_cache(maxsize=1 << 16)
def slugify(text: str) -> str:
    """ASCII slug: "Lê Anh Tuấn gặp đối tác" -> "le-anh-tuan-gap-doi-tac".

    Memoised: a site slugifies the same few tag names once per release, and
    python-slugify takes tens of microseconds a call.
    """
    return _slugify(text, max_length=80, word_boundary=True, save_order=True)


def bundle_slug(folder_name: str) -> str:
    """A bundle's default slug: its folder name without a leading ``YYYY-MM-DD-`` date."""
    stripped = _DATE_PREFIX.sub("", folder_name)
    return slugify(stripped or folder_name)


def home(settings: Settings, locale: str, page: int = 0) -> str:
    """/<base>/<locale>/, and /<base>/<locale>/page/N/ for the numbered pages of the list
    (``site.paging``: 0 is the front page)."""
    return _paged(f"{settings.base_path}{locale}/", page)


def _paged(path: str, page: int) -> str:
    return f"{path}page/{page}/" if page else path


def document(settings: Settings, locale: str, section: str, slug: str) -> str:
    """A release is /<locale>/<section>/<slug>/; a static page is /<locale>/<slug>/."""
    if section == PAGES_SECTION:
        return f"{settings.base_path}{locale}/{slug}/"
    return f"{settings.base_path}{locale}/{section}/{slug}/"


def tags_index(settings: Settings, locale: str) -> str:
    return f"{settings.base_path}{locale}/tags/"


def tag(settings: Settings, locale: str, tag_slug: str, page: int = 0) -> str:
    return _paged(f"{settings.base_path}{locale}/tags/{tag_slug}/", page)


def section(settings: Settings, locale: str, name: str, page: int = 0) -> str:
    """A section's list: /<locale>/<section>/, and /<locale>/<section>/page/N/."""
    return _paged(f"{settings.base_path}{locale}/{name}/", page)


def archive(settings: Settings, locale: str, year: int | None = None) -> str:
    """The archive's years (/<locale>/archive/) or one year's months (.../archive/2025/)."""
    path = f"{settings.base_path}{locale}/archive/"
    return path if year is None else f"{path}{year}/"


def search(settings: Settings, locale: str) -> str:
    return f"{settings.base_path}{locale}/search/"


SEARCH_FOLDER = "pagefind"  # the output folder of the search index (Pagefind's files)
PART_PAGES = 2000  # the releases a part of a locale's search index gathers at most


def search_parts(
    locale: str, years: Sequence[tuple[int, int]], pages: bool
) -> list[tuple[tuple[int, ...], str]]:
    """The parts of a locale's search index, main part first: (the years whose releases
    it holds, newest first; its output folder), of the locale's (year, number of
    releases), newest first, and whether it has static ``pages``. None when it has
    neither: nothing to search.

    Pagefind cannot change an index, only make it anew (about a millisecond a page),
    but a search page loads a chunk of every part's index (some 20 to 50 kB) for a
    query. So the years are gathered, from the oldest on, into parts of at most
    ``PART_PAGES`` releases (a year with more is a part alone): a site of a few
    thousand releases has one index a locale, and a larger site's edit makes one part
    anew, not its locale's every release. The newest part (with the static pages) is in
    the main folder beside Pagefind's scripts; each older one in a folder named after
    its first year, which the search page merges in. A new release changes only the
    newest part, until it is full and a new one begins.
    """
    groups: list[list[int]] = []
    size = 0
    for year, count in reversed(years):  # the oldest first
        if groups and size + count <= PART_PAGES:
            groups[0].insert(0, year)
            size += count
        else:
            groups.insert(0, [year])
            size = count
    main = f"{SEARCH_FOLDER}/"
    if not groups:
        return [((), main)] if pages else []
    return [
        (tuple(held), main if n == 0 else f"{SEARCH_FOLDER}/{locale}/{held[-1]}/")
        for n, held in enumerate(groups)
    ]


def feed(settings: Settings, locale: str) -> str:
    return f"{settings.base_path}{locale}/feed.xml"


def list_feed(page: str) -> str:
    """The Atom feed of a list page: /<locale>/feed.xml, /<locale>/<section>/feed.xml."""
    return page + "feed.xml"


def root(settings: Settings) -> str:
    return settings.base_path


def static(settings: Settings, name: str) -> str:
    """A file from the theme's or the site's static/ folder, e.g. "style.css"."""
    return f"{settings.base_path}static/{name.lstrip('/')}"


def absolute(settings: Settings, path: str) -> str:
    """An absolute URL for a site path that already includes the base path."""
    origin = settings.base_url[: len(settings.base_url) - len(settings.base_path)]
    return origin + quote(path, safe="/:@!$&'()*+,;=-._~%")


def output_path(settings: Settings, url: str) -> str:
    """Output-relative file for a site path: "/portal/id/x/" -> "id/x/index.html"."""
    base = settings.base_path
    if not url.startswith(base):
        raise ValueError(f"{url!r} is not under the base path {base!r}")
    rel = url[len(base) :]
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel


def url_for_output(settings: Settings, rel: str) -> str:
    """The site path of an output-relative file ("id/x/photos/a.jpg")."""
    return settings.base_path + rel
