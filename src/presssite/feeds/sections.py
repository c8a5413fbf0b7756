"""The feeds' and the sitemap's share of sections and the archive.

Each section has its own Atom feed (``/<locale>/<section>/feed.xml``) beside the
locale's and each tag's; the section list pages and the archive pages are listed in
the sitemap like the home and tag pages. The search page is not: it has no content of
its own (and says ``noindex``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from presssite import urls
from presssite.model import Site, Translation
from presssite.render import browse, i18n
from presssite.site.assemble import list_pages


def feed_lists(
    site: Site, loc: str, site_title: str
) -> list[tuple[str, str, tuple[Translation, ...]]]:
    """(list page, feed title, releases) of each section of a locale."""
    settings = site.settings
    catalog = _catalogs(site)[loc]
    return [
        (
            urls.section(settings, loc, name),
            f"{site_title}: {browse.label(settings, catalog, name, loc)}",
            docs,
        )
        for name, docs in site.sections.get(loc, {}).items()
    ]


def sitemap_urls(site: Site, loc: str) -> list[tuple[str, datetime | None]]:
    """(site path, lastmod) of a locale's section list pages and archive pages."""
    settings = site.settings
    size = settings.page_size
    out: list[tuple[str, datetime | None]] = []
    for name, docs in site.sections.get(loc, {}).items():
        for n in range(1, list_pages(len(docs), size) + 1):
            out.append(
                (urls.section(settings, loc, name, n), _newest(docs[(n - 1) * size : n * size]))
            )
    years = browse.years(site, loc)
    out.append((urls.archive(settings, loc), _newest(d for y in years for d in y.releases)))
    out.extend((urls.archive(settings, loc, y.year), _newest(y.releases)) for y in years)
    return out


def _newest(docs: Iterable[Translation]) -> datetime | None:
    return max((d.updated or d.date for d in docs), default=None)


def _catalogs(site: Site) -> dict[str, object]:
    """The site's catalogs, compiled once per site object (for the ``press`` label)."""
    kept: dict[str, object] | None = site.__dict__.get("_catalogs")
    if kept is None:
        kept = site.__dict__["_catalogs"] = dict(i18n.catalogs(site.settings))
    return kept
