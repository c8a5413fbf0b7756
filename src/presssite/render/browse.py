"""The pages readers browse and search by: section lists, the archive, the search page.

``plan`` lists them per locale (after a locale's home and tag pages), and ``make``
renders one with the ``render`` stage's renderer, reading every value of the site
through the page's ``Reads`` (``dependencies``), as the home and tag pages do. Sections
and the archive come from the site model (``Site.sections``, ``Site.releases``), which
holds only what is public, so no count or list can mention an unpublished release.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from presssite import urls
from presssite.model import Site, Translation
from presssite.render import context as pages
from presssite.render import i18n
from presssite.settings import Settings
from presssite.site import archive, paging
from presssite.site import sections as sections_

if TYPE_CHECKING:
    from presssite.render.pages import PageJob
    from presssite.render.reads import Reads
    from presssite.render.renderer import Renderer

# The kinds of page this module makes, and their templates.
TEMPLATES = {
    "section": "section.html",
    "archive": "archive.html",
    "archive-year": "archive_year.html",
    "search": "search.html",
}


def plan(site: Site, loc: str) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(output path, kind, ref) of a locale's section, archive and search pages."""
    s = site.settings
    out: list[tuple[str, str, tuple[Any, ...]]] = []
    for name, docs in site.sections.get(loc, {}).items():
        for n in paging.numbers(len(docs), s.page_size):
            out.append((urls.output_path(s, urls.section(s, loc, name, n)), "section", (name, n)))
    out.append((urls.output_path(s, urls.archive(s, loc)), "archive", ()))
    for year in years(site, loc):
        out.append(
            (urls.output_path(s, urls.archive(s, loc, year.year)), "archive-year", (year.year,))
        )
    if s.search.enabled:
        out.append((urls.output_path(s, urls.search(s, loc)), "search", ()))
    return out


def search_parts(s: Settings, parts: Sequence[tuple[tuple[int, ...], str]]) -> list[str]:
    """The site paths of the parts of a locale's index (``urls.search_parts``) that the
    search page merges into its main one: the older ones, on a large site."""
    return [urls.url_for_output(s, folder) for _years, folder in parts[1:]]


def years(site: Site, loc: str) -> tuple[archive.Year, ...]:
    """A locale's archive years, kept on the site object's first call (it is frozen and
    lives for one build, so the years cannot go stale)."""
    kept: dict[str, tuple[archive.Year, ...]] = site.__dict__.setdefault("_archive_years", {})
    if loc not in kept:
        kept[loc] = archive.years(site.releases.get(loc, ()), site.settings.tz)
    return kept[loc]


def label(settings: Settings, catalog: Any, section: str, locale: str) -> str:
    """A section's title in ``locale``, the theme's label read from ``catalog``."""
    return sections_.title(settings, section, locale, catalog.gettext)


def nav(reads: Reads, settings: Settings, catalog: Any, loc: str) -> dict[str, Any]:
    """Values every page of a locale shows: its sections in the navigation (read
    through ``reads``), the archive and the search field."""
    return {
        "nav_sections": [
            (label(settings, catalog, name, loc), urls.section(settings, loc, name))
            for name in reads.sections(loc)
        ],
        "archive_url": urls.archive(settings, loc),
        "search_url": urls.search(settings, loc) if settings.search.enabled else None,
    }


def make(renderer: Renderer, job: PageJob, reads: Reads, shared: dict[str, Any]) -> bytes:
    """Render one page of these kinds with ``renderer``; every value of the site it
    shows is read through ``reads``."""
    s, loc = renderer.settings, job.locale
    catalog = renderer.catalogs[loc]
    if job.kind == "section":
        name, number = job.ref
        span = reads.list_span(loc, name, number, "section")
        items = reads.list_items(loc, name, span.start, span.stop, "section")
        page = pages.list_page(loc, span, items, lambda n: urls.section(s, loc, name, n))
        others = {lo: urls.section(s, lo, name) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, page.url, others)
        links = pages.hreflang_links(s, switcher, others[s.default_locale]) if page.front else ()
        extra = {
            "section_title": label(s, catalog, name, loc),
            "section_feed_url": urls.list_feed(urls.section(s, loc, name)),
        }
        return renderer.listing(reads, shared, "section.html", page, switcher, links, extra)
    if job.kind == "search":
        url = urls.search(s, loc)
        parts = urls.search_parts(loc, reads.years(loc), bool(reads.nav(loc)))
        others = {lo: urls.search(s, lo) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, url, others)
        context = {
            **shared,
            "canonical": urls.absolute(s, url),
            "switcher": switcher,
            "hreflang": pages.hreflang_links(s, switcher, others[s.default_locale]),
            "pagefind_url": urls.url_for_output(s, f"{urls.SEARCH_FOLDER}/"),
            "search_parts": search_parts(s, parts),
            "search_js_url": urls.static(s, "search.js"),
            "runs_wasm": True,  # Pagefind's WebAssembly (``partials/policy.html``)
            # the index has no part in this language: Pagefind would search another's
            "nothing_indexed": not parts,
        }
        return renderer.page("search.html", context)
    others = {lo: urls.archive(s, lo) for lo in s.locales}
    if job.kind == "archive":
        url = urls.archive(s, loc)
        switcher = pages.list_alternates(s, loc, url, others)
        context = {
            **shared,
            "canonical": urls.absolute(s, url),
            "switcher": switcher,
            "hreflang": pages.hreflang_links(s, switcher, others[s.default_locale]),
            "years": [(y, count, urls.archive(s, loc, y)) for y, count in reads.years(loc)],
        }
        return renderer.page("archive.html", context)
    (year,) = job.ref
    years = reads.year_numbers(loc)
    at = years.index(year)
    url = urls.archive(s, loc, year)
    releases = reads.list_items(loc, str(year), 0, None, "year")
    month_names = i18n.babel_locale(loc).months["stand-alone"]["wide"]
    months = [
        (
            month_names[m.month],
            f"m{m.month:02d}",
            [(_entry(renderer, d), label(s, catalog, d.section, loc)) for d in m.releases],
        )
        for m in archive.months(archive.Year(year, releases), s.tz)
    ]
    newer = years[at - 1] if at > 0 else None
    older = years[at + 1] if at + 1 < len(years) else None
    context = {
        **shared,
        "canonical": urls.absolute(s, url),
        "switcher": pages.list_alternates(s, loc, url, others),
        "year": year,
        "count": len(releases),
        "months": months,
        "newer_year": (newer, urls.archive(s, loc, newer)) if newer else None,
        "older_year": (older, urls.archive(s, loc, older)) if older else None,
    }
    return renderer.page("archive_year.html", context)


def _entry(renderer: Renderer, doc: Translation) -> pages.Teaser:
    """A release as an archive page lists it: title, link and date (only these are
    read, so an edit of its summary or photos leaves the page as it is)."""
    tz = renderer.tz
    return pages.Teaser(
        url=doc.url,
        title=doc.title,
        summary="",
        date_iso=pages.iso(doc.date, tz),
        date_text=i18n.format_date(doc.date, doc.locale, tz),
        image=None,
    )
