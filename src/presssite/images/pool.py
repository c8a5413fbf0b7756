"""Running the photo jobs: in any ``Executor``, in a process pool, or here.

A photo that fails comes back as an ``Outcome`` with an error; ``ImageError`` is raised
only when the pool itself dies.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import sys
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any

from presssite.errors import ImageError
from presssite.images.worker import Job, Outcome, run_job

# --------------------------------------------------------------------------- running


def run_all(
    todo: list[Job], *, executor: Executor | None, jobs: int | None, progress: bool
) -> list[Outcome]:
    """Run the jobs in ``executor``, else in a process pool of ``jobs`` workers (default: all
    cores), else here when one worker would do; results come back in job order.

    A photo that fails is an ``Outcome`` with an error; ``ImageError`` is raised only when
    the pool itself dies.
    """
    if not todo:
        return []
    with _progress_bar(len(todo), enabled=progress) as advance:
        if executor is not None:
            return _drain(executor, todo, advance)
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        if workers <= 1:
            results = []
            for job in todo:
                results.append(run_job(job))
                advance()
            return results
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
            return _drain(pool, todo, advance)


def mp_context() -> multiprocessing.context.BaseContext:
    """Forkserver where there is one: forking a process that runs threads (the dev server's
    watcher, a web server) can deadlock its children; spawn is the portable fallback."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _drain(executor: Executor, todo: list[Job], advance: Callable[[], None]) -> list[Outcome]:
    futures: dict[Future[Outcome], int] = {
        executor.submit(run_job, j): i for i, j in enumerate(todo)
    }
    results: list[Outcome | None] = [None] * len(todo)
    for future in as_completed(futures):
        i = futures[future]
        try:
            results[i] = future.result()
        except BrokenExecutor as exc:
            for other in futures:
                other.cancel()
            raise ImageError(
                f"the photo workers stopped unexpectedly ({exc})",
                hint="a worker was killed (out of memory?), or a script calling presssite "
                'lacks the `if __name__ == "__main__":` guard process pools need; '
                "--jobs 1 processes photos without workers",
            ) from None
        except Exception as exc:  # noqa: BLE001 - a crashed worker is reported per photo
            results[i] = Outcome(todo[i].path, decoded=True, error=f"worker failed: {exc}")
        advance()
    return [r for r in results if r is not None]


class _progress_bar:
    """A rich progress bar on stderr, only when asked for and stderr is a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("photos", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
