"""The build: the one module that knows the order of the stages.

    settings -> content -> site model -> image plan -> pages, feeds -> images -> publish

Every stage before ``publish`` only computes; errors from content and assembly are
gathered and raised together, and nothing in the output folder changes unless all
stages succeeded. Each stage is timed, and ``BuildReport`` counts the work done (and
the work skipped thanks to caches), so that tests prove skipped work with counters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import content, feeds, images, output, render
from . import site as site_
from .errors import raise_all
from .model import OutputFile, Site
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class BuildState:
    """Caches carried from one build to the next by a long-running process (``serve``).

    Deliberately mutable and passed in, never global: a fresh state gives a cold build.
    """

    parse_cache: content.ParseCache = field(default_factory=content.ParseCache)
    env: Any = None  # the Jinja environment; None after a template or settings change

    def forget_templates(self) -> None:
        self.env = None


@dataclass(frozen=True)
class BuildReport:
    """What a build did: counts per locale, work done and reused, time per stage."""

    target: Path
    documents: dict[str, int]  # locale -> published documents
    pages: int  # HTML pages written
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


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def build(
    settings: Settings,
    *,
    target: Path,
    now: datetime | None = None,
    include_drafts: bool = False,
    preview: bool = False,
    state: BuildState | None = None,
    jobs: int | None = None,
    executor: Executor | None = None,
    progress: bool = False,
) -> BuildReport:
    """Build the site into ``target``; raise ``PresssiteError`` (often an ``ErrorList``).

    ``preview`` shows embargoed releases with a "not public" banner (the dev server);
    ``include_drafts`` shows drafts. ``now`` is the build clock for embargo and expiry.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    state = state or BuildState()
    timer = _Timer()

    with timer.stage("content"):
        loaded = content.load(settings, cache=state.parse_cache)
    with timer.stage("assemble"):
        site, problems = site_.assemble(
            settings,
            loaded.bundles,
            now=now,
            include_drafts=include_drafts,
            include_embargoed=preview,
        )
    raise_all([*loaded.errors, *problems])

    with timer.stage("plan images"):
        plan = images.plan(site, settings)
    with timer.stage("render"):
        if state.env is None:
            state.env = render.make_environment(settings)
        pages = render.render_site(site, plan, state.env, preview=preview)
    with timer.stage("feeds"):
        extra = feeds.render(site, plan)
    with timer.stage("images"):
        processed = images.process(plan, settings, executor=executor, jobs=jobs, progress=progress)
    with timer.stage("publish"):
        files = [
            *render.static_files(settings),
            *attachments(site),
            *processed.files,
            *extra,
            *pages,
        ]
        published = output.publish(files, target=target)

    return BuildReport(
        target=target,
        documents={loc: len(site.releases[loc]) + len(site.pages[loc]) for loc in settings.locales},
        pages=sum(1 for f in pages if f.path.endswith(".html")),
        files=published.files,
        photos=len({p.path for doc in site.translations() for p in doc.photos}),
        images_processed=processed.processed,
        images_cached=processed.cached,
        documents_parsed=loaded.parsed,
        documents_reused=loaded.reused,
        missing=site.missing,
        uncredited=tuple(str(p) for p in plan.uncredited),
        timings=timer.timings,
        elapsed=time.perf_counter() - started,
    )


def attachments(site: Site) -> list[OutputFile]:
    """Bundle files linked from a body (``presssite:file:``), published next to the page."""
    base = site.settings.base_path
    out = []
    for doc in site.translations():
        bundle_dir = site.bundles[doc.bundle].dir
        for ref in doc.references:
            if ref.kind != "file":
                continue
            rel = ref.target.split("#", 1)[0].split("?", 1)[0]
            source = (doc.path.parent / rel).resolve()
            try:
                inner = source.relative_to(bundle_dir.resolve()).as_posix()
            except ValueError:
                continue  # markup already reported a path that escapes the bundle
            out.append(OutputFile(path=doc.url[len(base) :] + inner, source=source))
    return out
