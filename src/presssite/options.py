"""The options the commands share: ``--site``, ``--now``, the site's settings, locale lists;
and ``embargoes``' ``--due-within`` with ``--since``.

Each turns a bad value into a ``UsageError`` naming the option (exit status 2).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from presssite import settings as settings_
from presssite.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])


def parse_now(value: str | None) -> datetime | None:
    """``--now``: an ISO 8601 instant with its UTC offset."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"not an ISO 8601 date and time: {value!r}",
            key="--now",
            hint="e.g. --now 2026-01-31T09:00:00+07:00",
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(
            f"--now needs a UTC offset: {value!r}",
            key="--now",
            hint="e.g. --now 2026-01-31T09:00:00+07:00",
        )
    return parsed


def site_option(func: F) -> F:
    return click.option(
        "--site",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default="the current folder",
        help="The site folder (holds presssite.toml).",
    )(func)


NOTHING_DUE = 3  # ``embargoes --due-within``: nothing is due (1 and 2 are errors)


def due_options(func: F) -> F:
    """``--due-within DURATION`` and ``--since ISO``, for a scheduled job's check."""
    func = click.option(
        "--since",
        "since_text",
        metavar="ISO",
        help="With --due-within: the last build.  [default: DURATION before now]",
    )(func)
    return click.option(
        "--due-within",
        "within_text",
        metavar="DURATION",
        help="Exit 0 when an embargo lifts or a release expires within DURATION (15m, 1h) "
        f"of now or has since --since; else exit {NOTHING_DUE}.",
    )(func)


def load_settings(site_dir: Path) -> settings_.Settings:
    if not site_dir.is_dir():
        raise UsageError(f"no such folder: {site_dir}", key="--site")
    return settings_.load(site_dir)


def locale_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())
