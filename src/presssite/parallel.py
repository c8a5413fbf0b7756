"""Split the cold build's CPU work (parsing, rendering) across forked worker processes.

Why ``fork``: the large inputs of a worker (the listing of the content folder, the
assembled site, the image plan, the Jinja environment with its compiled templates) are
inherited from the parent without being pickled; only small task lists go out and small
results come back. ``images.py`` uses ``forkserver`` instead, because its workers need
nothing but a job description.

Forking a process that runs other threads can deadlock the child (a lock another thread
held at the fork stays locked forever in the child), and the dev server runs a file
watcher and an HTTP server. So a pool is used only where ``fork`` exists and the process
runs a single thread (``presssite build``); elsewhere the work runs in the calling
process, where the dev server's rebuilds are small and incremental anyway. Starting a
pool costs tens of milliseconds, so work smaller than a threshold is never split.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The task function and its shared context, inherited by forked workers; set only in a
# worker process (by the pool's initializer), never in the parent.
_WORKER: dict[str, Any] = {}


def workers_for(count: int, *, jobs: int | None, threshold: int) -> int:
    """How many processes to use for ``count`` items: 1 means "do it here"."""
    if count < threshold or jobs == 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if threading.active_count() > 1:
        return 1
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(jobs or cpus or 1, count // max(1, threshold // 4) or 1))


CHUNK_MOST = 48  # items per chunk: some 50 ms of parsing or rendering


def chunks(
    items: Sequence[T], workers: int, per_worker: int = 4, most: int = CHUNK_MOST
) -> list[Sequence[T]]:
    """Contiguous slices, several per worker and none of more than ``most`` items.

    Why small: the pool hands out slices in order, so the last one decides when a stage
    ends; with slices of a quarter of a worker's share, one worker could sit idle for up
    to a whole slice, seconds on a site of 10,000 releases or more.
    """
    count = max(1, min(len(items), workers * per_worker))
    size = max(1, min(-(-len(items) // count), most))
    return [items[i : i + size] for i in range(0, len(items), size)]


def in_worker() -> bool:
    """Whether this process is a pool worker of ``map_chunks`` (it lives until the pool ends)."""
    return bool(_WORKER)


def map_chunks(
    task: Callable[[Any, Sequence[T]], list[R]],
    context: Any,
    items: Sequence[T],
    *,
    workers: int,
    meanwhile: Callable[[], Any] | None = None,
    most: int = CHUNK_MOST,
) -> list[R]:
    """``task(context, chunk)`` for every chunk of ``items``, results in item order
    (``each_chunk``, every result kept)."""
    results: list[R] = []
    each_chunk(
        task, context, items, workers=workers, meanwhile=meanwhile, each=results.extend, most=most
    )
    return results


def each_chunk(
    task: Callable[[Any, Sequence[T]], list[R]],
    context: Any,
    items: Sequence[T],
    *,
    workers: int,
    each: Callable[[list[R]], Any],
    meanwhile: Callable[[], Any] | None = None,
    most: int = CHUNK_MOST,
) -> None:
    """``task(context, chunk)`` for every chunk of ``items``; ``each`` is called here with
    each chunk's results, in order, as they come back, and nothing else keeps them: the
    render of a large site hands back hundreds of thousands of pages, which its caller
    reduces as they come (kept to the end, they were a sixth of its peak memory).

    With ``workers == 1`` the chunks run here, in order. An exception in a worker is
    raised here (it must be picklable: ``PresssiteError``s are). ``meanwhile`` is called
    here while the workers run (after them without workers): other work of the build
    that needs no worker's result; ``each`` then works on finished results while the
    workers go on with the next chunks.
    """
    if workers <= 1:
        results = task(context, items)
        if meanwhile is not None:
            meanwhile()
        each(results)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_init, initargs=(task, context)) as pool:
        pending = pool.imap(_run, chunks(items, workers, most=most), chunksize=1)
        if meanwhile is not None:
            meanwhile()
        for part in pending:
            each(part)


def _init(task: Callable[..., Any], context: Any) -> None:
    _WORKER["task"] = task
    _WORKER["context"] = context


def _run(chunk: Sequence[Any]) -> list[Any]:
    return list(_WORKER["task"](_WORKER["context"], chunk))
