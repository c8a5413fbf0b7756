"""Sections: the kinds of release a portal publishes (press releases, statements, ...).

Every top-level folder of ``content/`` but ``pages/`` is a section. Which sections a site
has, in which order, and what each is called in each locale are decided here, once: the
list pages, the feeds, the navigation and the labels on teasers all ask these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from presssite.errors import ContentError
from presssite.messages import N_
from presssite.model import PAGES_SECTION, Bundle, Translation
from presssite.settings import Settings

PRESS = "press"  # the section a new site starts with; the theme names it ("Press releases")
PRESS_LABEL = N_("Press releases")  # the theme's msgid for the press section's title
# Folders of a locale's URLs that the build makes itself: no section may be named so.
RESERVED = ("tags", "archive", "search", "page")


def names(settings: Settings, bundles: Iterable[Bundle]) -> tuple[str, ...]:
    """Every section of the site, in order: ``[sections] order`` first, the rest by name.

    A section is known from the settings or from any bundle, published or not, so that
    a section's list page does not come and go with an embargo.
    """
    found = {b.section for b in bundles if b.section != PAGES_SECTION}
    found |= set(settings.sections.titles)
    found |= set(settings.sections.order)
    ordered = [name for name in settings.sections.order if name in found]
    return (*ordered, *sorted(found - set(ordered)))


def group(
    settings: Settings, sections: Sequence[str], releases: Mapping[str, Sequence[Translation]]
) -> dict[str, dict[str, tuple[Translation, ...]]]:
    """locale -> section -> its releases, keeping the order of ``releases`` (newest first)."""
    out: dict[str, dict[str, tuple[Translation, ...]]] = {}
    for loc in settings.locales:
        members: dict[str, list[Translation]] = {name: [] for name in sections}
        for doc in releases.get(loc, ()):
            members.setdefault(doc.section, []).append(doc)
        out[loc] = {name: tuple(docs) for name, docs in members.items()}
    return out


def title(
    settings: Settings, section: str, locale: str, gettext: Callable[[str], str] | None = None
) -> str:
    """A section's title in ``locale``: from ``[sections.<name>] title``, else the theme's
    label for ``press`` (through ``gettext``, the locale's catalog), else the folder name."""
    configured = settings.sections.titles.get(section)
    if configured:
        return settings.localized(configured, locale)
    if section == PRESS and gettext is not None:
        return gettext(PRESS_LABEL)
    return section.replace("-", " ").replace("_", " ").capitalize()


def reserved(settings: Settings, sections: Iterable[str]) -> list[ContentError]:
    """A section whose name is a folder of the build's own (``/<locale>/tags/``...)."""
    return [
        ContentError(
            f"the section {name!r} would write over the site's own /<locale>/{name}/ pages",
            path=settings.content_dir / name,
            hint=f"rename the folder content/{name}/ (e.g. to content/{name}-releases/)",
        )
        for name in sections
        if name in RESERVED
    ]
