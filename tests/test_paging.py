"""How a list is cut into pages (``site.paging``): every release on exactly one page,
newest first in reading order, and a numbered page that keeps its releases as newer ones
are published."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presssite.site import paging

sizes = st.integers(min_value=1, max_value=12)
counts = st.integers(min_value=0, max_value=80)


def pages_of(items: list[int], size: int) -> dict[int, list[int]]:
    """Each page's releases, by page number."""
    return {s.number: items[s.start : s.stop] for s in paging.spans(len(items), size)}


@pytest.mark.parametrize(("count", "pages"), [(0, 1), (1, 1), (10, 1), (11, 2), (25, 3)])
def test_a_list_takes_a_page_per_page_size_begun(count: int, pages: int) -> None:
    assert paging.count(count, 10) == pages
    assert len(paging.numbers(count, 10)) == pages


def test_the_front_page_holds_the_newest_and_page_one_the_oldest() -> None:
    items = list(range(25, 0, -1))  # newest first: 25 is the newest release
    pages = pages_of(items, 10)
    assert list(pages) == [paging.FRONT, 2, 1]
    assert pages[paging.FRONT] == list(range(25, 15, -1))
    assert pages[2] == [15, 14, 13, 12, 11]  # what the front leaves over
    assert pages[1] == list(range(10, 0, -1))
    front, second, first = paging.spans(25, 10)
    assert (front.newer, front.older) == (None, 2)
    assert (second.newer, second.older) == (paging.FRONT, 1)
    assert (first.newer, first.older) == (2, None)


@given(counts, sizes)
def test_every_release_is_on_one_page_in_reading_order(count: int, size: int) -> None:
    items = list(range(count, 0, -1))
    pages = pages_of(items, size)
    assert [i for page in pages.values() for i in page] == items
    assert pages[paging.FRONT] == items[:size]
    assert all(1 <= len(page) <= size for n, page in pages.items() if n != paging.FRONT)
    order = paging.numbers(count, size)
    for span in paging.spans(count, size):
        at = order.index(span.number)
        assert span.newer == (order[at - 1] if at else None)
        assert span.older == (order[at + 1] if at + 1 < len(order) else None)


@given(counts, sizes)
def test_a_new_release_leaves_every_page_but_the_front_two_as_it_was(count: int, size: int) -> None:
    before = list(range(count, 0, -1))
    after = [count + 1, *before]
    old, new = paging.spans(count, size), {s.number: s for s in paging.spans(count + 1, size)}
    kept = old[2:]  # the numbered pages but the one next to the front
    for span in kept:
        assert new[span.number] == span
        assert after[span.start : span.stop] == before[span.start : span.stop]
    # the front page, the page next to it, and at most one page made new
    assert len(new) - len(kept) <= 3


def test_a_page_the_list_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="no page 3"):
        paging.span(25, 10, 3)
