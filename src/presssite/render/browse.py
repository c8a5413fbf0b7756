"""The pages readers browse and search by: section lists, the archive, the search page.

``plan`` lists them per locale (after a locale's home and tag pages), ``key_parts`` says
what each one shows for its page key, and ``make`` renders one with the ``render``
stage's renderer. Sections and the archive come from the site model (``Site.sections``,
``Site.releases``), which holds only what is public, so no count or list can mention an
unpublished release.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from presssite import urls
from presssite.model import ListPage, Site, Translation
from presssite.render import context as pages
from presssite.render import i18n
from presssite.settings import Settings
from presssite.site import archive
from presssite.site import sections as sections_
from presssite.site.assemble import list_pages

# The kinds of page this module makes, and their templates.
TEMPLATES = {
    "section": "section.html",
    "archive": "archive.html",
    "archive-year": "archive_year.html",
    "search": "search.html",
}
SEARCH_FOLDER = "pagefind"  # where the search stage writes Pagefind's files


def plan(site: Site, loc: str) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(output path, kind, ref) of a locale's section, archive and search pages."""
    s = site.settings
    out: list[tuple[str, str, tuple[Any, ...]]] = []
    for name, docs in site.sections.get(loc, {}).items():
        for n in range(1, list_pages(len(docs), s.page_size) + 1):
            out.append((urls.output_path(s, urls.section(s, loc, name, n)), "section", (name, n)))
    out.append((urls.output_path(s, urls.archive(s, loc)), "archive", ()))
    for year in years(site, loc):
        out.append(
            (urls.output_path(s, urls.archive(s, loc, year.year)), "archive-year", (year.year,))
        )
    if s.search.enabled:
        out.append((urls.output_path(s, urls.search(s, loc)), "search", ()))
    return out


def showing(site: Site, doc: Translation) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(output path, kind, ref) of the pages of these kinds that show ``doc``'s title:
    its section's list page and its year's archive page (``edits``)."""
    s, loc = site.settings, doc.locale
    out: list[tuple[str, str, tuple[Any, ...]]] = []
    members = site.sections.get(loc, {}).get(doc.section, ())
    at = next((i for i, d in enumerate(members) if d is doc), None)
    if at is not None:
        n = at // s.page_size + 1
        out.append(
            (urls.output_path(s, urls.section(s, loc, doc.section, n)), "section", (doc.section, n))
        )
    year = doc.date.astimezone(s.tz).year
    if any(y.year == year for y in years(site, loc)):
        out.append((urls.output_path(s, urls.archive(s, loc, year)), "archive-year", (year,)))
    return out


def years(site: Site, loc: str) -> tuple[archive.Year, ...]:
    """A locale's archive years, kept on the site object's first call (it is frozen and
    lives for one build, so the years cannot go stale)."""
    kept: dict[str, tuple[archive.Year, ...]] = site.__dict__.setdefault("_archive_years", {})
    if loc not in kept:
        kept[loc] = archive.years(site.releases.get(loc, ()), site.settings.tz)
    return kept[loc]


def key_parts(
    site: Site,
    job: Any,
    list_items: Callable[[Sequence[Translation], int, int], Any],
    doc_key: Callable[[Translation], str],
) -> tuple[Any, ...]:
    """What a page of these kinds shows, for its key (``keys.PageKeys``)."""
    loc, size = job.locale, site.settings.page_size
    if job.kind == "section":
        name, number = job.ref
        return (name, list_items(site.sections[loc][name], number, size))
    if job.kind == "archive":
        return tuple((y.year, len(y.releases)) for y in years(site, loc))
    if job.kind == "archive-year":
        (year,) = job.ref
        found = next(y for y in years(site, loc) if y.year == year)
        around = tuple(y.year for y in years(site, loc))
        return (year, around, tuple((doc_key(d), d.section) for d in found.releases))
    return ()


def label(settings: Settings, catalog: Any, section: str, locale: str) -> str:
    """A section's title in ``locale``, the theme's label read from ``catalog``."""
    return sections_.title(settings, section, locale, catalog.gettext)


def shared(settings: Settings, site: Site, catalog: Any, loc: str) -> dict[str, Any]:
    """Values every page of a locale shows: its sections in the navigation, the archive
    and the search field."""
    return {
        "nav_sections": [
            (label(settings, catalog, name, loc), urls.section(settings, loc, name))
            for name in site.sections.get(loc, {})
        ],
        "archive_url": urls.archive(settings, loc),
        "search_url": urls.search(settings, loc) if settings.search.enabled else None,
    }


def make(renderer: Any, job: Any) -> bytes:
    """Render one page of these kinds with ``renderer`` (``pages._Renderer``)."""
    s, site, loc = renderer.settings, renderer.site, job.locale
    shared_values = renderer.shared(loc)
    catalog = renderer.catalogs[loc]
    if job.kind == "section":
        name, number = job.ref
        page = _paginated(renderer, loc, name)[number - 1]
        others = {lo: urls.section(s, lo, name) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, page.url, others)
        links = pages.hreflang_links(s, switcher, others[s.default_locale]) if number == 1 else ()
        extra = {
            "section_title": label(s, catalog, name, loc),
            "section_feed_url": urls.list_feed(urls.section(s, loc, name)),
        }
        return bytes(
            renderer.list_page(shared_values, "section.html", page, switcher, links, extra)
        )
    if job.kind == "search":
        url = urls.search(s, loc)
        others = {lo: urls.search(s, lo) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, url, others)
        context = {
            **shared_values,
            "canonical": urls.absolute(s, url),
            "switcher": switcher,
            "hreflang": pages.hreflang_links(s, switcher, others[s.default_locale]),
            "pagefind_url": urls.url_for_output(s, f"{SEARCH_FOLDER}/"),
            "search_js_url": urls.static(s, "search.js"),
        }
        return bytes(renderer.page("search.html", context))
    all_years = years(site, loc)
    if job.kind == "archive":
        url = urls.archive(s, loc)
        others = {lo: urls.archive(s, lo) for lo in s.locales}
        switcher = pages.list_alternates(s, loc, url, others)
        context = {
            **shared_values,
            "canonical": urls.absolute(s, url),
            "switcher": switcher,
            "hreflang": pages.hreflang_links(s, switcher, others[s.default_locale]),
            "years": [(y.year, len(y.releases), urls.archive(s, loc, y.year)) for y in all_years],
        }
        return bytes(renderer.page("archive.html", context))
    (year,) = job.ref
    at = next(i for i, y in enumerate(all_years) if y.year == year)
    url = urls.archive(s, loc, year)
    others = {lo: urls.archive(s, lo) for lo in s.locales}
    month_names = i18n.babel_locale(loc).months["stand-alone"]["wide"]
    months = [
        (
            month_names[m.month],
            f"m{m.month:02d}",
            [(renderer.teaser(d), label(s, catalog, d.section, loc)) for d in m.releases],
        )
        for m in archive.months(all_years[at], s.tz)
    ]
    newer = all_years[at - 1].year if at > 0 else None
    older = all_years[at + 1].year if at + 1 < len(all_years) else None
    context = {
        **shared_values,
        "canonical": urls.absolute(s, url),
        "switcher": pages.list_alternates(s, loc, url, others),
        "year": year,
        "count": len(all_years[at].releases),
        "months": months,
        "newer_year": (newer, urls.archive(s, loc, newer)) if newer else None,
        "older_year": (older, urls.archive(s, loc, older)) if older else None,
    }
    return bytes(renderer.page("archive_year.html", context))


def _paginated(renderer: Any, loc: str, name: str) -> list[ListPage]:
    kept: dict[tuple[str, str], list[ListPage]] = renderer.__dict__.setdefault("_sections", {})
    if (loc, name) not in kept:
        s = renderer.settings
        kept[(loc, name)] = pages.paginate(
            renderer.site.sections[loc][name],
            s.page_size,
            loc,
            lambda n: urls.section(s, loc, name, n),
        )
    return kept[(loc, name)]
