"""Errors that know where they come from and what to do about them.

Every stage raises or collects these; only ``cli.py`` prints them. An error is a
value: it carries the file, the 1-based line, the key inside the file and a hint,
so the one formatter below can print ``path:line: key: message`` followed by
``hint: ...`` for every kind of problem, the way a compiler does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_FILE_ATTR = "presssite_file"  # set on an unexpected exception by ``processing``


class PresssiteError(Exception):
    """Base of every error presssite reports to a user (never a traceback).

    ``exit_code`` is what the command-line exits with: 1 for problems in the site
    being built, 2 for problems in how presssite was asked to run (settings, options).
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.key = key
        self.hint = hint

    def format(self, *, relative_to: Path | None = None) -> str:
        """``path:line: key: message`` then an indented ``hint:`` line when there is one."""
        where = ""
        if self.path is not None:
            shown = self.path
            if relative_to is not None:
                try:
                    shown = self.path.resolve().relative_to(relative_to.resolve())
                except ValueError:
                    shown = self.path
            where = str(shown)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        key = f"{self.key}: " if self.key else ""
        text = f"{where}{key}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.format()


class SettingsError(PresssiteError):
    """The site's settings are missing, malformed or inconsistent."""

    exit_code = 2


class UsageError(PresssiteError):
    """A command-line option has a value presssite cannot use."""

    exit_code = 2


class ContentError(PresssiteError):
    """A content file (front matter, Markdown, a photo reference) is wrong."""


class TemplateError(PresssiteError):
    """A template failed to load or render."""


class ImageError(PresssiteError):
    """A photo is corrupt, unreadable, too large or missing."""


class DeployError(PresssiteError):
    """Publishing to the remote branch was refused or failed."""


class ErrorList(PresssiteError):
    """Many errors found in one pass, raised once so the user sees them all.

    The exit code is the highest of the errors it holds.
    """

    def __init__(self, errors: Iterable[PresssiteError]) -> None:
        self.errors: list[PresssiteError] = list(errors)
        count = len(self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} found")
        self.exit_code = max((e.exit_code for e in self.errors), default=1)

    def __iter__(self) -> Iterator[PresssiteError]:
        return iter(self.errors)

    def format(self, *, relative_to: Path | None = None) -> str:
        return "\n".join(e.format(relative_to=relative_to) for e in self.errors)


def flatten(errors: Iterable[PresssiteError]) -> list[PresssiteError]:
    """Expand nested ``ErrorList``s so that stages can merge what they collected."""
    flat: list[PresssiteError] = []
    for error in errors:
        if isinstance(error, ErrorList):
            flat.extend(flatten(error.errors))
        else:
            flat.append(error)
    return flat


def raise_all(errors: Iterable[PresssiteError]) -> None:
    """Raise the collected errors as one ``ErrorList``, or do nothing when there are none."""
    flat = flatten(errors)
    if len(flat) == 1:
        raise flat[0]
    if flat:
        raise ErrorList(flat)


@contextmanager
def processing(path: Path | str) -> Iterator[None]:
    """Name ``path`` on any unexpected exception raised inside, for the CLI's one-line report.

    A ``PresssiteError`` already knows its place and passes untouched; any other
    exception (a bug) is re-raised as it is, remembering the innermost file it met. The
    attribute survives the pickling that brings a worker's exception back.
    """
    try:
        yield
    except PresssiteError:
        raise
    except Exception as exc:
        if getattr(exc, _FILE_ATTR, None) is None:
            try:
                setattr(exc, _FILE_ATTR, str(path))
            except AttributeError:  # an exception type with __slots__: no file named
                pass
        raise


def processed_file(exc: BaseException) -> str | None:
    """The file ``processing`` named on ``exc``, if any."""
    found = getattr(exc, _FILE_ATTR, None)
    return found if isinstance(found, str) else None
