"""Marking the theme's messages that Python code, not a template, translates.

A template's ``_("...")`` is found by ``pybabel extract`` where it stands. A message the
code hands to ``gettext`` later, from a constant (a search filter's name, the press
section's title), has no such call for the extractor to read, so the refreshed catalogs
would drop it and its translations with it. ``N_`` marks it where it is written: it
returns the message as it is, and ``babel.cfg`` reads the package's Python for it.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the name pybabel extract looks for
    """``message`` itself, marked for the catalogs; translated where it is shown."""
    return message
