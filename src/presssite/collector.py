"""The cyclic garbage collector during a build: it does not walk what the build keeps.

A build holds millions of objects that live until it ends (the documents, the site
model, the page index), and CPython's collector walks every one of them in each full
collection, finding nothing to free: at 10,000 releases such passes took 1.3 to 1.7 s
of a CI deploy of 11 s. So what a stage made, and what the build cache read, is
frozen (``gc.freeze``: the collector no longer walks it) while the build runs, and
unfrozen when it ends. Reference counting still frees what is let go meanwhile; only
a reference cycle that is already garbage when a freeze comes waits for the build's end.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_BUILDS = [0]  # builds running in this process (objects are frozen only during one)


@contextlib.contextmanager
def building() -> Iterator[None]:
    """Around a whole build (a decorator too): what it froze is unfrozen when it ends,
    however it ends."""
    _BUILDS[0] += 1
    try:
        yield
    finally:
        _BUILDS[0] -= 1
        if not _BUILDS[0]:
            gc.unfreeze()


def keep() -> None:
    """What exists now lives until the build ends (called between stages)."""
    if _BUILDS[0]:
        gc.freeze()


@contextlib.contextmanager
def reading() -> Iterator[None]:
    """Around reading a large index: every object read would count towards collections
    that walk all the others, so the collector waits, and in a build what was read is
    then kept (``keep``)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        keep()
        if enabled:
            gc.enable()
