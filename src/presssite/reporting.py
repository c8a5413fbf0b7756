"""How the command line reports failure: messages, exit statuses, and never a traceback.

A ``PresssiteError`` is the user's to fix: printed as ``path:line: key: message`` with
its hint, exit status 1 (the site) or 2 (settings, options). Any other exception is a bug
in presssite or a library it uses; a user can do nothing with a traceback, so it becomes
one line naming the file being processed (``errors.processing`` attached it) and asking
for a bug report, exit status 1. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from presssite import __version__
from presssite.errors import PresssiteError, processed_file

INTERNAL_EXIT = 1


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("presssite")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


def _debugging() -> bool:
    """True under ``presssite --debug`` (the root command's flag)."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get("debug"))


@contextmanager
def reported(site_dir: Path | None = None) -> Iterator[None]:
    """Turn any exception into printed messages and an exit status (see the module)."""
    try:
        yield
    except PresssiteError as exc:
        relative_to = site_dir.resolve() if site_dir is not None else None
        click.echo(exc.format(relative_to=relative_to), err=True)
        count = len(getattr(exc, "errors", [exc]))
        if count > 1:
            click.echo(f"{count} problems found; nothing was published.", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if _debugging():
            raise
        click.echo(internal_error(exc, site_dir), err=True)
        sys.exit(INTERNAL_EXIT)


def internal_error(exc: BaseException, site_dir: Path | None = None) -> str:
    """One line for an unexpected exception: where, what, and what to do."""
    where = processed_file(exc)
    if where is None:
        where = str(site_dir) if site_dir is not None else "the site"
    elif site_dir is not None:
        try:
            where = Path(where).resolve().relative_to(site_dir.resolve()).as_posix()
        except ValueError:
            pass
    lines = str(exc).strip().splitlines()
    what = type(exc).__name__ + (f": {lines[0][:200]}" if lines else "")
    return (
        f"error: presssite {__version__} failed while processing {where} ({what}). "
        "This is a bug in presssite: please report it with that file; "
        "run the command again with presssite --debug for the details."
    )
