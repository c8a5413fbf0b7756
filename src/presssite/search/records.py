"""What the search index holds: one small HTML record per published release and page.

The records are made from the site model, not from the rendered pages: only the words a
reader searches for (title, summary, body) and Pagefind's result metadata and filters,
so that a template edit, which changes every page, changes no record and does not run
the indexer again. Each record's ``<html lang>`` is its locale: Pagefind makes one index
per language, and the search page of a locale (whose ``<html lang>`` is that locale)
loads only its own.

Only ``Site`` translations are recorded, and the site holds only what is public at the
build's instant: a draft, an embargoed or an expired release has no record, so no index
file can hold a word of it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from presssite.messages import N_
from presssite.model import PhotoImage, Translation, own_body
from presssite.render import i18n
from presssite.render.reads import Reads
from presssite.render.views import unwrap
from presssite.site import sections

# The filters' names, as the search page shows them, in the page's language (msgids).
FILTER_NAMES = (N_("Section"), N_("Year"))

# Placeholders of a body (figures, photo sources) carry no words; an image would become
# Pagefind's result image, which is the lead photo's, set explicitly.
_NOT_WORDS = re.compile(r"<presssite-figure\b[^>]*>(?:\s*</presssite-figure>)?|<img\b[^>]*>", re.I)


@dataclass(frozen=True)
class Record:
    """One page as the indexer reads it."""

    url: str  # the page's site path (with the base path)
    locale: str
    html: str


def records(
    reads: Reads,
    catalogs: Mapping[str, object],
    full: Callable[[Translation], Translation] | None,
    locale: str,
    years: Iterable[int],
    pages: bool,
) -> Iterator[Record]:
    """A record of every published release of ``locale`` dated in ``years`` (the
    archive's years) and, with ``pages``, of its static pages: one part of the locale's
    index (``urls.search_parts``). Each value is read through ``reads`` (a part's key is
    the hash of what its records read).

    ``catalogs`` are the locales' gettext catalogs (a section's label is the section
    filter's value); ``full`` gives a translation with its body when the site's carry
    none. A lead photo's planned thumbnail is the result's image.
    """
    settings = reads.inputs.site.settings
    tz = settings.tz
    gettext = getattr(catalogs[locale], "gettext", None)
    names = filter_names(catalogs[locale])
    docs = [d for y in years for d in reads.list_items(locale, str(y), 0, None, "year")]
    for doc in (*docs, *(reads.nav(locale) if pages else ())):
        whole = reads.doc(full(unwrap(doc))) if full is not None else doc
        lead = doc.lead_photo
        image = reads.photos(doc).get(lead.src) if lead is not None else None
        label = "" if doc.is_page else sections.title(settings, doc.section, locale, gettext)
        yield Record(
            url=doc.url,
            locale=locale,
            html=page(
                doc,
                own_body(whole),
                date_text=i18n.format_date(doc.date, locale, tz),
                year=doc.date.astimezone(tz).year,
                section=label,
                image=image,
                names=names,
            ),
        )


def page(
    doc: Translation,
    body: str,
    *,
    date_text: str,
    year: int,
    section: str,
    image: PhotoImage | None,
    names: tuple[str, str] = FILTER_NAMES,
) -> str:
    """The HTML Pagefind indexes for ``doc``: words, metadata, filters and sort key.

    The date, the filters and the sort key are ``<meta>`` elements of the head (their
    values are read from ``content``), so they are not words of the page.
    """
    esc = html.escape
    head = [
        f'<!DOCTYPE html><html lang="{esc(doc.locale)}"><head><meta charset="utf-8">',
        f"<title>{esc(doc.title)}</title>",
        f'<meta data-pagefind-meta="date[content]" content="{esc(date_text)}">',
        f'<meta data-pagefind-sort="date[content]" content="{doc.date.isoformat()}">',
        f'<meta data-pagefind-filter="{esc(names[1])}[content]" content="{year}">',
    ]
    if section:
        head.append(
            f'<meta data-pagefind-filter="{esc(names[0])}[content]" content="{esc(section)}">'
        )
    if image is not None:
        head.append(
            f'<meta data-pagefind-meta="image[content]" content="{esc(image.fallback.url)}">'
            f'<meta data-pagefind-meta="image_alt[content]" content="{esc(image.photo.alt)}">'
        )
    body_parts = [
        "</head><body><main data-pagefind-body>",
        f'<h1 data-pagefind-meta="title">{esc(doc.title)}</h1>',
    ]
    if doc.summary:
        body_parts.append(f'<p data-pagefind-meta="summary">{esc(doc.summary)}</p>')
    body_parts.append(_NOT_WORDS.sub("", body))
    body_parts.append("</main></body></html>")
    return "".join(head + body_parts)


def filter_names(catalog: object) -> tuple[str, str]:
    """The section and year filters' names in a locale (its catalog's words)."""
    gettext = getattr(catalog, "gettext", None) or (lambda text: text)
    section, year = (gettext(name) for name in FILTER_NAMES)
    return section, year
