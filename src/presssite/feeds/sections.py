"""The feeds' and the sitemap's share of sections and the archive.

Each section has its own Atom feed (``/<locale>/<section>/feed.xml``) beside the
locale's and each tag's; the section list pages and the archive pages are listed in
the sitemap like the home and tag pages. The search page is not: it has no content of
its own (and says ``noindex``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from presssite import urls
from presssite.model import Site
from presssite.render import browse, i18n
from presssite.render.reads import Reads
from presssite.site import paging


def feed_lists(site: Site, loc: str) -> list[tuple[str, str, str]]:
    """("section", name, list page) of each section of a locale, for its feed."""
    return [
        ("section", name, urls.section(site.settings, loc, name))
        for name in site.sections.get(loc, {})
    ]


def label(site: Site, name: str, loc: str) -> str:
    """A section's title in ``loc`` (``render.browse.label``), for its feed's title."""
    return browse.label(site.settings, _catalogs(site)[loc], name, loc)


def sitemap_urls(
    site: Site,
    loc: str,
    reads: Reads,
    newest: Callable[[Iterable[str]], datetime | None],
) -> list[tuple[str, datetime | None]]:
    """(site path, lastmod) of a locale's section list pages and archive pages, every
    value read through ``reads``; a page's lastmod is the ``newest`` change of its
    releases, given by their bundle ids (the sitemap reads each release's once)."""
    settings = site.settings
    size = settings.page_size
    out: list[tuple[str, datetime | None]] = []
    for name in reads.sections(loc):
        ids = reads.list_bundles(loc, name, "section")
        for span in paging.spans(len(ids), size):
            url = urls.section(settings, loc, name, span.number)
            out.append((url, newest(ids[span.start : span.stop])))
    years = [(y, reads.list_bundles(loc, str(y), "year")) for y in reads.year_numbers(loc)]
    out.append((urls.archive(settings, loc), newest(b for _, ids in years for b in ids)))
    out.extend((urls.archive(settings, loc, y), newest(ids)) for y, ids in years)
    return out


def _catalogs(site: Site) -> dict[str, object]:
    """The site's catalogs, compiled once per site object (for the ``press`` label)."""
    kept: dict[str, object] | None = site.__dict__.get("_catalogs")
    if kept is None:
        kept = site.__dict__["_catalogs"] = dict(i18n.catalogs(site.settings))
    return kept
