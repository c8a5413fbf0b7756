"""Assemble the published site from parsed bundles.

This is where publishing rules live, in one place: drafts, embargoes and expiry are
applied per translation against the build clock, so that everything downstream
(pages, lists, tags, switchers, feeds, sitemaps, photos) sees only what is public and
cannot leak an embargoed release by accident. It also orders releases, groups tags,
lists missing translations and refuses two documents that would write the same URL.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from presssite import urls
from presssite.errors import ContentError, PresssiteError
from presssite.model import Bundle, Site, Tag, Translation
from presssite.settings import Settings
from presssite.site import paging
from presssite.site import sections as sections_

log = logging.getLogger(__name__)


def why_hidden(doc: Translation, now: datetime) -> tuple[str, ...]:
    """Why a translation is not public at ``now``: any of "draft", "embargo", "expired",
    in that order; () when it is public. The one publishing rule: everything asks it."""
    reasons: tuple[str, ...] = ()
    if doc.draft:
        reasons += ("draft",)
    if doc.embargo is not None and doc.embargo > now:
        reasons += ("embargo",)
    if doc.expires is not None and doc.expires <= now:
        reasons += ("expired",)
    return reasons


def is_public(doc: Translation, now: datetime) -> bool:
    """Whether a translation may be seen by the public at ``now``."""
    return not why_hidden(doc, now)


def is_visible(
    doc: Translation, now: datetime, *, include_drafts: bool, include_embargoed: bool
) -> bool:
    """Whether a translation is part of this build: a preview may show drafts and
    embargoed translations, never expired ones."""
    shown = {"draft": include_drafts, "embargo": include_embargoed, "expired": False}
    return all(shown[reason] for reason in why_hidden(doc, now))


@dataclass(frozen=True)
class Embargo:
    """A translation that becomes public when its embargo lifts."""

    bundle: str
    locale: str
    lifts: datetime  # the embargo instant (aware)
    title: str
    path: Path  # its Markdown file


def upcoming_embargoes(bundles: Iterable[Bundle], now: datetime) -> list[Embargo]:
    """The embargoes that lift after ``now``, soonest first.

    Drafts are left out (they stay hidden when the embargo lifts), and so is a release
    that expires before its embargo lifts: neither will be published at that instant.
    """
    out = [
        Embargo(doc.bundle, doc.locale, doc.embargo, doc.title, doc.path)
        for bundle in bundles
        for doc in bundle.translations.values()
        if doc.embargo is not None and doc.embargo > now and is_public(doc, doc.embargo)
    ]
    return sorted(out, key=lambda e: (e.lifts, e.bundle, e.locale))


def assemble(
    settings: Settings,
    bundles: Iterable[Bundle],
    *,
    now: datetime,
    include_drafts: bool = False,
    include_embargoed: bool = False,
) -> tuple[Site, list[PresssiteError]]:
    """Link, filter and order the bundles; return the site and the problems found.

    Problems are returned, not raised, so the build can report them together with the
    content stage's.
    """
    published: dict[str, Bundle] = {}
    missing: list[tuple[str, str]] = []
    every = _disambiguate(settings, bundles)
    section_names = sections_.names(settings, every)
    for bundle in every:
        kept = {
            loc: doc
            for loc, doc in bundle.translations.items()
            if is_visible(
                doc, now, include_drafts=include_drafts, include_embargoed=include_embargoed
            )
        }
        if not kept:
            continue
        ordered = {loc: kept[loc] for loc in settings.locales if loc in kept}
        published[bundle.id] = Bundle(
            id=bundle.id, section=bundle.section, dir=bundle.dir, translations=ordered
        )
        missing.extend((bundle.id, loc) for loc in settings.locales if loc not in ordered)

    releases: dict[str, list[Translation]] = {loc: [] for loc in settings.locales}
    pages: dict[str, list[Translation]] = {loc: [] for loc in settings.locales}
    for bundle in published.values():
        for loc, doc in bundle.translations.items():
            (pages if doc.is_page else releases)[loc].append(doc)
    for docs in releases.values():
        docs.sort(key=lambda d: (d.date, d.bundle), reverse=True)
    for docs in pages.values():
        docs.sort(key=lambda d: (d.title.casefold(), d.bundle))

    tags = {loc: _tags(settings, loc, docs) for loc, docs in releases.items()}
    site = Site(
        settings=settings,
        now=now,
        bundles=published,
        releases={loc: tuple(docs) for loc, docs in releases.items()},
        pages={loc: tuple(docs) for loc, docs in pages.items()},
        tags=tags,
        missing=tuple(missing),
        include_drafts=include_drafts,
        sections=sections_.group(settings, section_names, releases),
    )
    return site, [*sections_.reserved(settings, section_names), *url_clashes(site, every)]


def _disambiguate(settings: Settings, bundles: Iterable[Bundle]) -> list[Bundle]:
    """Give derived slugs that clash the full folder name, except the oldest.

    A bundle's default slug drops the folder's date prefix, so two releases with the same
    name on different days would claim one URL. The oldest keeps the short slug (its URL
    never changes when a newer namesake arrives); the others use the whole folder name,
    date included. Slugs written in front matter are the editor's choice and are never
    changed: a clash among those is reported as an error.
    Done over every bundle, published or not, so a URL does not change when an embargo lifts.
    """
    ordered = sorted(bundles, key=lambda b: b.id)
    claims: dict[tuple[str, str], list[Translation]] = defaultdict(list)
    for bundle in ordered:
        for doc in bundle.translations.values():
            if "slug" not in doc.lines:
                claims[(doc.locale, doc.url)].append(doc)
    renamed: dict[tuple[str, str], Translation] = {}
    for docs in claims.values():
        if len(docs) < 2:
            continue
        docs.sort(key=lambda d: (d.date, d.bundle))
        for doc in docs[1:]:
            slug = urls.slugify(doc.bundle.rsplit("/", 1)[-1])
            url = urls.document(settings, doc.locale, doc.section, slug)
            renamed[(doc.bundle, doc.locale)] = replace(doc, slug=slug, url=url)
    if not renamed:
        return ordered
    return [
        replace(
            b,
            translations={
                loc: renamed.get((b.id, loc), doc) for loc, doc in b.translations.items()
            },
        )
        for b in ordered
    ]


def _tags(settings: Settings, locale: str, releases: list[Translation]) -> tuple[Tag, ...]:
    """Group a locale's releases (already newest first) by tag slug."""
    names: dict[str, str] = {}
    members: dict[str, list[Translation]] = defaultdict(list)
    for doc in releases:
        seen: set[str] = set()
        for name in doc.tags:
            slug = urls.slugify(name)
            if not slug or slug in seen:
                continue
            seen.add(slug)
            names.setdefault(slug, name)
            members[slug].append(doc)
    return tuple(
        Tag(
            name=names[slug],
            slug=slug,
            locale=locale,
            url=urls.tag(settings, locale, slug),
            releases=tuple(members[slug]),
        )
        for slug in sorted(names, key=lambda s: (names[s].casefold(), s))
    )


def _shown(settings: Settings, path: Path) -> str:
    """A content path as the user knows it: relative to the site folder when inside it."""
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        return str(path)


def url_clashes(site: Site, bundles: Iterable[Bundle]) -> list[PresssiteError]:
    """Two documents, or a document and a generated list page, that claim one URL.

    Checked over every bundle, not only what ``site`` publishes: a draft or an embargoed
    translation that would clash is reported now, while it can be fixed, rather than by
    the build that should publish it when its embargo lifts. Translations expired at the
    build clock are left out: no clock to come publishes them again.
    """
    settings = site.settings
    shown = {(d.bundle, d.locale) for d in site.translations()}
    waiting = [
        doc
        for bundle in bundles
        for doc in bundle.translations.values()
        if (doc.bundle, doc.locale) not in shown and "expired" not in why_hidden(doc, site.now)
    ]
    owners = _list_owners(site)
    errors: list[PresssiteError] = []
    by_url: dict[str, Translation] = {}
    for doc in [*site.translations(), *waiting]:
        later = "" if (doc.bundle, doc.locale) in shown else f" once {_when_published(doc, site)}"
        other = by_url.get(doc.url)
        if other is not None:
            errors.append(
                ContentError(
                    f"writes the same URL {doc.url} as {_shown(settings, other.path)}{later}",
                    path=doc.path,
                    line=doc.lines.get("slug"),
                    key="slug",
                    hint="give one of them a different slug: in front matter or by renaming "
                    "its bundle folder",
                )
            )
            continue
        if doc.url in owners:
            errors.append(
                ContentError(
                    f"writes the URL {doc.url}, which is {owners[doc.url]}{later}",
                    path=doc.path,
                    line=doc.lines.get("slug"),
                    key="slug",
                    hint="give it a different slug",
                )
            )
            continue
        by_url[doc.url] = doc
    return errors


def _when_published(doc: Translation, site: Site) -> str:
    """When a translation this build leaves out would be published (for a clash's message)."""
    reasons = why_hidden(doc, site.now)
    if "embargo" in reasons:
        lifts = doc.embargo.astimezone(site.settings.tz).isoformat() if doc.embargo else ""
        draft = " and it is no longer a draft" if "draft" in reasons else ""
        return f"its embargo lifts ({lifts}){draft}"
    return "it is no longer a draft"


def _list_owners(site: Site) -> dict[str, str]:
    """Every list page URL the site publishes (a document's URL can only meet the first
    page of a list: a page's is ``/<locale>/<slug>/``, a release's is in its section)."""
    settings = site.settings
    owners: dict[str, str] = {}
    for loc in settings.locales:
        for n in paging.numbers(len(site.releases[loc]), settings.page_size):
            owners[urls.home(settings, loc, n)] = f"the {loc} home page"
        owners[urls.tags_index(settings, loc)] = f"the {loc} tags index"
        owners[urls.archive(settings, loc)] = f"the {loc} archive"
        if settings.search.enabled:
            owners[urls.search(settings, loc)] = f"the {loc} search page"
        for name, docs in site.sections.get(loc, {}).items():
            for n in paging.numbers(len(docs), settings.page_size):
                owners[urls.section(settings, loc, name, n)] = f"the {loc} section page {name!r}"
        for tag in site.tags[loc]:
            for n in paging.numbers(len(tag.releases), settings.page_size):
                owners[urls.tag(settings, loc, tag.slug, n)] = f"the {loc} tag page {tag.name!r}"
    return owners


def placed_alike(old: Translation, new: Translation) -> bool:
    """Whether ``assemble`` places two versions of a translation alike: the same
    visibility, URL, list positions and tags, so ``substitute`` may swap one for the
    other. These are the fields ``assemble`` reads."""
    return _placing(old) == _placing(new)


def _placing(doc: Translation) -> tuple[object, ...]:
    return (
        doc.bundle,
        doc.section,
        doc.locale,
        doc.path,
        doc.date,
        doc.slug,
        doc.url,
        doc.tags,
        doc.draft,
        doc.embargo,
        doc.expires,
        "slug" in doc.lines,
        doc.title if doc.is_page else None,  # static pages are ordered by title
    )


def substitute(site: Site, docs: Mapping[tuple[str, str], Translation], *, now: datetime) -> Site:
    """``site`` at the clock ``now``, with translations replaced in place by new versions.

    For new versions placed alike (``placed_alike``: an edit of their words): every
    list keeps its order, so nothing is sorted,
    grouped or checked again, and the result is what ``assemble`` would give.
    """

    def swap(items: tuple[Translation, ...]) -> tuple[Translation, ...]:
        if not any((d.bundle, d.locale) in docs for d in items):
            return items
        return tuple(docs.get((d.bundle, d.locale), d) for d in items)

    bundles = dict(site.bundles)
    for (bundle_id, loc), doc in docs.items():
        bundle = bundles[bundle_id]
        bundles[bundle_id] = replace(bundle, translations={**bundle.translations, loc: doc})

    def swap_tag(tag: Tag) -> Tag:
        releases = swap(tag.releases)
        return tag if releases is tag.releases else replace(tag, releases=releases)

    tags = {loc: tuple(swap_tag(tag) for tag in items) for loc, items in site.tags.items()}
    return replace(
        site,
        now=now,
        bundles=bundles,
        releases={loc: swap(items) for loc, items in site.releases.items()},
        pages={loc: swap(items) for loc, items in site.pages.items()},
        tags=tags,
        sections={
            loc: {name: swap(items) for name, items in by_name.items()}
            for loc, by_name in site.sections.items()
        },
    )
