"""The archive: a locale's releases by year, then by month, in the site's time zone.

Built from the published releases only (``Site.releases``), so an embargoed, expired or
draft release is in no count and no list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from presssite.model import Translation


@dataclass(frozen=True)
class Year:
    """One year of the archive: its releases of every section, newest first."""

    year: int
    releases: tuple[Translation, ...]


@dataclass(frozen=True)
class Month:
    """One month of a year's archive page."""

    month: int  # 1-12
    releases: tuple[Translation, ...]  # newest first


def years(releases: Sequence[Translation], tz: tzinfo) -> tuple[Year, ...]:
    """The years that have releases, newest first; ``releases`` are newest first."""
    found: dict[int, list[Translation]] = {}
    for doc in releases:
        found.setdefault(doc.date.astimezone(tz).year, []).append(doc)
    return tuple(Year(y, tuple(found[y])) for y in sorted(found, reverse=True))


def months(year: Year, tz: tzinfo) -> tuple[Month, ...]:
    """A year's releases by month, newest month first."""
    found: dict[int, list[Translation]] = {}
    for doc in year.releases:
        found.setdefault(doc.date.astimezone(tz).month, []).append(doc)
    return tuple(Month(m, tuple(found[m])) for m in sorted(found, reverse=True))
