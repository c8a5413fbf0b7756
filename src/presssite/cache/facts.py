"""Small facts worked out from inputs by a pure function, kept between builds under a
digest of those inputs.

Every build plans the press kits and downloads of every release with photos, and a page
shows each one's size: the size of a kit's ``release.txt`` (the release read back from
the document store and parsed as HTML) and of each download's metadata (its EXIF and
XMP encoded). Worked out afresh, that was some 0.7 ms a translation in every build and
every deploy, though one new release changes none of the others. ``Facts`` keeps such
results in the build cache under the digest of everything they are made of; the cache
is salted by the code's version, so a fact made by other code is never read. A build
keeps only the facts it asked for: the memo holds what the site has, no more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from presssite.cache.store import BuildCache

T = TypeVar("T")

NAME = "facts"


class Facts:
    """``get(key, make)``: the fact kept under ``key``, or ``make()``'s, kept from now on."""

    def __init__(self, store: BuildCache | None) -> None:
        self.store = store
        found = store.load(NAME) if store is not None else None
        self.kept: dict[str, Any] = found if isinstance(found, dict) else {}
        self.used: dict[str, Any] = {}

    def get(self, key: str, make: Callable[[], T]) -> T:
        if key not in self.used:
            self.used[key] = self.kept[key] if key in self.kept else make()
        return cast(T, self.used[key])

    def save(self) -> None:
        """Keep the facts this build asked for, when they are not those kept already."""
        if self.store is not None and self.used != self.kept:
            self.store.save(NAME, self.used)
            self.kept = self.used
