"""The recorded reads of a build's pages, each (source, fields) pair kept once and numbered.

Thousands of pages read the same few pairs (a release's teaser fields are read by its
page, its lists' pages, its tags' pages), so a ``Table`` keeps each pair once, shared,
and a page's record is the numbers of its pairs packed as 32-bit integers (``pack``):
four bytes a read instead of a pointer, and no shared object in a page's entry, so the
page index is written to the build cache without pickle's memo of every object it
reaches (at 100,000 releases that memo alone took some 200 MB). The table itself is
written as its distinct sources and field tuples and two arrays of their numbers
(``state``). The numbers mean something only with the table they were packed by: the
page index is kept with its table, and a build starts from the table it loaded.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from typing import Any

Source = tuple[str, ...]  # ("doc", bundle, locale), ("list", locale, tag slug or ""), ...
Pair = tuple[Source, tuple[str, ...]]  # a source and the fields read of it, sorted
Deps = tuple[Pair, ...]  # what one output read, sorted
Packed = bytes  # ``Deps`` as the numbers of their pairs in a ``Table`` (``pack``)

_ID = "I"  # array typecode of a pair's number: unsigned, 4 bytes on every platform we run
assert array(_ID).itemsize == 4


class Table:
    """Every pair the outputs of a build read: shared objects, numbered in order."""

    def __init__(self) -> None:
        self.pairs: list[Pair] = []
        self.loaded = 0  # how many came from a kept index: only those can be read by none
        self._ids: dict[Pair, int] = {}
        self._parts: dict[tuple[str, ...], tuple[str, ...]] = {}  # sources and field tuples

    def number(self, source: Source, fields: Iterable[str]) -> int:
        """The number of (``source``, sorted ``fields``), given it when new."""
        found = self._ids.get(pair := (source, tuple(sorted(fields))))
        if found is None:
            share = self._parts.setdefault
            shared = (share(pair[0], pair[0]), share(pair[1], pair[1]))
            found = self._ids[shared] = len(self.pairs)
            self.pairs.append(shared)
        return found

    def interned(self, source: Source, fields: Iterable[str]) -> Pair:
        """The shared pair of ``source`` and ``fields``."""
        return self.pairs[self.number(source, fields)]

    def pack(self, deps: Deps) -> Packed:
        """``deps`` as the numbers of their pairs, in their order."""
        return array(_ID, [self.number(source, fields) for source, fields in deps]).tobytes()

    def unpack(self, deps: Packed | Deps) -> Deps:
        """The shared pairs of packed ``deps`` (``Deps`` are returned as they are)."""
        if not isinstance(deps, bytes):
            return deps
        pairs = self.pairs
        return tuple([pairs[i] for i in self.numbers(deps)])

    @staticmethod
    def numbers(deps: Packed) -> array[int]:
        """The numbers of the pairs of packed ``deps``, in their order."""
        numbers = array(_ID)
        numbers.frombytes(deps)
        return numbers

    def state(self) -> tuple[list[Source], list[tuple[str, ...]], bytes, bytes]:
        """The table as few objects: its distinct sources, its distinct tuples of fields,
        and for each pair the number of its source and of its fields."""
        sources: dict[Source, int] = {}
        fields: dict[tuple[str, ...], int] = {}
        of_source, of_fields = array(_ID), array(_ID)
        for source, names in self.pairs:
            of_source.append(sources.setdefault(source, len(sources)))
            of_fields.append(fields.setdefault(names, len(fields)))
        return list(sources), list(fields), of_source.tobytes(), of_fields.tobytes()

    @classmethod
    def from_state(cls, state: Any) -> Table | None:
        """The table ``state`` describes, numbered as it was; None when it is not a table's."""
        table = cls()
        try:
            sources, fields, of_source, of_fields = state
            numbers = (array(_ID), array(_ID))
            numbers[0].frombytes(of_source)
            numbers[1].frombytes(of_fields)
            for s, f in zip(*numbers, strict=True):
                table.number(sources[s], fields[f])
        except (TypeError, ValueError, IndexError):
            return None
        table.loaded = len(table.pairs)
        return table if table.loaded == len(numbers[0]) else None


def loaded(state: Any, entries: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    """The table of a kept index and its entries (none when the table cannot be read)."""
    table = Table.from_state(state)
    return (table, entries) if table is not None else (Table(), {})


def to_keep(table: Table, entries: dict[str, Any], at: int = 1) -> tuple[Any, dict[str, Any]]:
    """The state of ``table`` and ``entries`` (each's item ``at`` packed by it) as an
    index keeps them: when most of the table's pairs are no longer read by any entry,
    a table of only those that are, and the entries packed by it. A table only grows
    while a site changes; this keeps it from growing for ever (a table made in this build
    holds only pairs read: it is not looked through)."""
    if table.loaded > 1000 and _stale(table, (entry[at] for entry in entries.values())):
        new = Table()
        entries = {
            name: (*entry[:at], new.pack(table.unpack(entry[at])), *entry[at + 1 :])
            for name, entry in entries.items()
        }
        table = new
    return table.state(), entries


def _stale(table: Table, packed: Iterable[Packed]) -> bool:
    """Whether most of ``table``'s pairs are read by none of ``packed``."""
    return 2 * len(set(array(_ID, b"".join(packed)))) < len(table.pairs)
