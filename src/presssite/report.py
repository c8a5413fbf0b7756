"""What a build did: ``BuildReport``, the counts the CLI prints and tests assert."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presssite.model import Site

if TYPE_CHECKING:
    from presssite.output import refcheck


@dataclass(frozen=True)
class BuildReport:
    """What a build did: counts per locale, work done and reused, time per stage."""

    target: Path
    documents: dict[str, int]  # locale -> published documents
    pages: int  # HTML pages in the output
    files: int  # every file in the output
    photos: int  # distinct source photos published
    images_processed: int  # photos decoded this build
    images_cached: int  # photos served entirely from the cache
    documents_parsed: int
    documents_reused: int
    missing: tuple[tuple[str, str], ...]  # (bundle id, locale)
    uncredited: tuple[str, ...]  # photos with neither caption nor credit
    timings: dict[str, float]  # stage -> seconds
    elapsed: float
    stale: tuple[tuple[str, str, str], ...] = ()  # (bundle id, locale, newer locale)
    broken: tuple[refcheck.BrokenReference, ...] = ()  # internal references to nothing
    pages_rendered: int = 0  # pages (HTML and others) rendered by this build
    pages_reused: int = 0  # pages whose key was known: taken from the build cache
    feeds_made: int = 0  # feed, sitemap and robots.txt jobs run
    feeds_reused: int = 0
    files_changed: int = 0  # output files created or replaced (0: the output was current)
    files_removed: int = 0
    publish_mode: str = ""  # "swap", "in place", "unchanged"
    unchanged: bool = False  # nothing at all was redone: the output was already this build's
    search_indexed: int = 0  # 1: the search indexer ran (what its records read changed)
    search_reused: int = 0  # 1: the last search index was still right
    kit_texts_made: int = 0  # press kits whose release.txt was worked out (body read back)
    kit_texts_kept: int = 0  # press kits whose release.txt facts were kept from a build
    notes: tuple[str, ...] = ()  # things the user may want to know, not problems


class Timer:
    """Seconds spent in each stage of one build."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def report_of(
    target: Path,
    site: Site,
    loaded: Any,
    status: Any,
    plan: Any,
    processed: Any,
    made: Any,
    broken: list[Any],
    published: Any,
    searched: Any,
) -> BuildReport:
    """The report of a build from what its stages returned (timings added by the caller)."""
    from presssite.feeds.sitemaps import robots_note

    settings = site.settings
    return BuildReport(
        target=target,
        documents={loc: len(site.releases[loc]) + len(site.pages[loc]) for loc in settings.locales},
        pages=sum(1 for job in made.jobs if job.path.endswith(".html")),
        files=published.files,
        photos=len({p.path for doc in site.translations() for p in doc.photos}),
        images_processed=processed.processed,
        images_cached=processed.cached,
        documents_parsed=loaded.parsed,
        documents_reused=loaded.reused,
        missing=site.missing,
        uncredited=tuple(str(p) for p in plan.uncredited),
        timings={},
        elapsed=0.0,
        stale=tuple((b, loc, newer) for (b, loc), newer in status.stale.items()),
        broken=tuple(broken),
        pages_rendered=made.rendered,
        pages_reused=len(made.jobs) - made.rendered,
        feeds_made=made.feeds_made[0],
        feeds_reused=made.feeds_made[1],
        files_changed=published.changed,
        files_removed=published.removed,
        publish_mode=published.mode,
        search_indexed=searched.indexed,
        search_reused=searched.reused,
        kit_texts_made=plan.kit_texts_made,
        kit_texts_kept=len(plan.kits) - plan.kit_texts_made,
        notes=robots_note(settings),
    )
