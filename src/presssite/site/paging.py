"""How a list is cut into pages: the front page, then pages counted from the oldest.

A list (a locale's releases, a section's, a tag's) is newest first. Its front page holds
the ``size`` newest releases. The rest are cut into pages of ``size`` counted from the
oldest end: page 1 holds the oldest releases, and the numbered page next to the front
holds what is left over, between 1 and ``size``.

Why from the oldest: a new release changes the front page and the page next to it, and
no other. A numbered page keeps showing the same releases for as long as they are
published, so a link to it stays true, and a deploy after one new release renders a few
list pages rather than every page of every list (at 1,000 releases, some 460 pages of the
1,000 there are). Nikola's static indexes, its default, cut lists the same way.

Every module that plans, renders or lists list pages asks this one.
"""

from __future__ import annotations

from dataclasses import dataclass

FRONT = 0  # the number of a list's front page (its URL has no page number)


@dataclass(frozen=True)
class Span:
    """Where one page of a list is: its releases, as a slice of the newest-first list, and
    its neighbours.

    The slice of a numbered page other than the one next to the front counts from the end
    (negative ``start``), so it does not move as newer releases come: what a page records
    of its list stays the same while the page does.
    """

    number: int  # FRONT, or 1 (the oldest releases) up to the page next to the front
    start: int
    stop: int | None  # None: to the end of the list
    newer: int | None  # the page of the next newer releases (FRONT included), or None
    older: int | None  # the page of the next older releases, or None

    @property
    def front(self) -> bool:
        return self.number == FRONT


def count(items: int, size: int) -> int:
    """How many pages a list of ``items`` takes (an empty list still has its front page)."""
    return max(1, -(-items // size))


def numbers(items: int, size: int) -> list[int]:
    """The page numbers of a list in reading order: the front page, then newest to oldest."""
    return [FRONT, *range(count(items, size) - 1, 0, -1)]


def span(items: int, size: int, number: int) -> Span:
    """Page ``number`` of a list of ``items`` releases, ``size`` a page."""
    pages = count(items, size)
    if not 0 <= number < pages:
        raise ValueError(f"a list of {items} releases has no page {number}")
    if number == FRONT:
        return Span(FRONT, 0, size, None, pages - 1 if pages > 1 else None)
    stop = -(number - 1) * size or None
    older = number - 1 or None
    if number == pages - 1:  # next to the front: what the front leaves over
        return Span(number, size, stop, FRONT, older)
    return Span(number, -number * size, stop, number + 1, older)


def spans(items: int, size: int) -> list[Span]:
    """Every page of a list, in reading order."""
    return [span(items, size, n) for n in numbers(items, size)]
