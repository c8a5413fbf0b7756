"""URL policy, in one place and pure: slugs, permalinks, output paths, absolute URLs.

Every URL the build writes is a site path that includes the ``base_url``'s path
("/portal/id/press/x/"), so the site works under a GitHub Pages sub-path; canonical
URLs, hreflang, feeds and sitemaps use ``absolute()`` of those paths.
"""

from __future__ import annotations

import functools
import re
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


def home(settings: Settings, locale: str, page: int = 1) -> str:
    """/<base>/<locale>/, then /<base>/<locale>/page/N/ for later pages."""
    path = f"{settings.base_path}{locale}/"
    return path if page <= 1 else f"{path}page/{page}/"


def document(settings: Settings, locale: str, section: str, slug: str) -> str:
    """A release is /<locale>/<section>/<slug>/; a static page is /<locale>/<slug>/."""
    if section == PAGES_SECTION:
        return f"{settings.base_path}{locale}/{slug}/"
    return f"{settings.base_path}{locale}/{section}/{slug}/"


def tags_index(settings: Settings, locale: str) -> str:
    return f"{settings.base_path}{locale}/tags/"


def tag(settings: Settings, locale: str, tag_slug: str, page: int = 1) -> str:
    path = f"{settings.base_path}{locale}/tags/{tag_slug}/"
    return path if page <= 1 else f"{path}page/{page}/"


def section(settings: Settings, locale: str, name: str, page: int = 1) -> str:
    """A section's list: /<locale>/<section>/, then /<locale>/<section>/page/N/."""
    path = f"{settings.base_path}{locale}/{name}/"
    return path if page <= 1 else f"{path}page/{page}/"


def archive(settings: Settings, locale: str, year: int | None = None) -> str:
    """The archive's years (/<locale>/archive/) or one year's months (.../archive/2025/)."""
    path = f"{settings.base_path}{locale}/archive/"
    return path if year is None else f"{path}{year}/"


def search(settings: Settings, locale: str) -> str:
    return f"{settings.base_path}{locale}/search/"


SEARCH_FOLDER = "pagefind"  # the output folder of the search index (Pagefind's files)


def search_part(locale: str, year: int | None, newest: int | None) -> str:
    """The output folder of the part of a locale's search index that holds ``year``'s
    releases (``newest``: the locale's newest year, None without releases).

    The newest year's part (with the locale's static pages) is in the main folder,
    beside Pagefind's scripts and the other locales' main parts: the search page loads
    it first. Each older year's is a folder of its own, which the search page merges in:
    an edit of an old release indexes that year again, not the locale's every release.
    """
    if year == newest:
        return f"{SEARCH_FOLDER}/"
    return f"{SEARCH_FOLDER}/{locale}/{year}/"


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
