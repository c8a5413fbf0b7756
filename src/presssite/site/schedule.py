"""When the public site changes by itself: the instants an embargo lifts or a release
expires, for a scheduler that rebuilds the site only when one has come.

An instant counts only when the publishing rule (``assemble.is_public``) gives another
answer just before it and at it: an embargo on a draft, or one that lifts after the
release expired, changes nothing and never asks for a build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from presssite.errors import UsageError
from presssite.model import Bundle
from presssite.site.assemble import is_public

_JUST_BEFORE = timedelta(microseconds=1)
_DURATION = re.compile(r"^\s*(\d+)\s*(s|sec|m|min|h|hr|d)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400}


@dataclass(frozen=True)
class Change:
    """A translation that appears or disappears at ``when``."""

    when: datetime  # aware
    kind: str  # "embargo lifts" or "expires"
    bundle: str
    locale: str
    title: str
    path: Path  # its Markdown file


def changes(bundles: Iterable[Bundle], *, after: datetime, until: datetime) -> list[Change]:
    """The instants in ``(after, until]`` at which a translation becomes public or stops
    being public, soonest first."""
    out = []
    for bundle in bundles:
        for doc in bundle.translations.values():
            for when, kind in ((doc.embargo, "embargo lifts"), (doc.expires, "expires")):
                if when is None or not after < when <= until:
                    continue
                if is_public(doc, when) == is_public(doc, when - _JUST_BEFORE):
                    continue
                out.append(Change(when, kind, doc.bundle, doc.locale, doc.title, doc.path))
    return sorted(out, key=lambda c: (c.when, c.bundle, c.locale, c.kind))


def due(
    bundles: Iterable[Bundle], *, now: datetime, within: timedelta, since: datetime | None
) -> list[Change]:
    """The changes a rebuild at ``now`` should not wait for.

    Due: an instant after the last build (``since``) that has passed, or that comes
    within ``within`` of ``now``. Without ``since``, the last ``within`` before ``now``
    stands for it: a scheduler that runs at least that often sees every instant.
    """
    start = since if since is not None else now - within
    return changes(bundles, after=start, until=now + within)


def parse_duration(text: str, *, key: str) -> timedelta:
    """``15m``, ``90s``, ``1h``, ``2d`` (a bare number is minutes)."""
    match = _DURATION.match(text)
    if match is None:
        raise UsageError(
            f"not a duration: {text!r}",
            key=key,
            hint="a number with a unit: 90s, 15m, 1h or 2d",
        )
    number, unit = int(match[1]), (match[2] or "m").lower()
    return timedelta(seconds=number * _UNITS[unit])
