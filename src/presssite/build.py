"""The build: the one module that knows the order of the stages.

    settings -> content -> site model -> translation status -> image plan
             -> pages, feeds -> reference check -> images -> publish

Every stage before ``publish`` only computes; errors from content and assembly are
gathered and raised together, and nothing in the output folder changes unless all
stages succeeded. Each stage is timed, and ``BuildReport`` counts the work done (and
the work skipped thanks to caches), so that tests prove skipped work with counters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import content, feeds, images, output, refcheck, render, translations
from . import site as site_
from .errors import raise_all
from .model import Bundle, OutputFile, Site
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class BuildState:
    """Caches carried from one build to the next by a long-running process (``serve``).

    Deliberately mutable and passed in, never global: a fresh state gives a cold build.
    """

    parse_cache: content.ParseCache = field(default_factory=content.ParseCache)
    env: Any = None  # the Jinja environment; None after a template or settings change
    history: dict[str, Any] = field(default_factory=dict)  # git commit times, by HEAD

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
    stale: tuple[tuple[str, str, str], ...] = ()  # (bundle id, locale, newer locale)
    broken: tuple[refcheck.BrokenReference, ...] = ()  # internal references to nothing


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
    strict: bool = False,
) -> BuildReport:
    """Build the site into ``target``; raise ``PresssiteError`` (often an ``ErrorList``).

    ``preview`` shows embargoed releases with a "not public" banner (the dev server);
    ``include_drafts`` shows drafts. ``now`` is the build clock for embargo and expiry.
    Broken internal references are logged as warnings, or with ``strict`` raised as
    errors before anything is published.
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

    with timer.stage("translations"):
        status = translation_status(settings, site.bundles.values(), state)
    with timer.stage("plan images"):
        plan = images.plan(site, settings)
    with timer.stage("render"):
        if state.env is None:
            state.env = render.make_environment(settings)
        pages = render.render_site(site, plan, state.env, preview=preview, stale=status.stale)
    with timer.stage("feeds"):
        extra = feeds.render(site, plan)
    static, attached = render.static_files(settings), attachments(site)
    with timer.stage("check references"):
        made = {f.path for f in (*static, *attached, *extra, *pages)}
        broken = refcheck.check(site, pages, made | planned_images(plan))
    if strict:
        raise_all(b.error(settings) for b in broken)
    for problem in broken:
        log.warning("%s", problem.error(settings).format(relative_to=settings.root))
    with timer.stage("images"):
        processed = images.process(plan, settings, executor=executor, jobs=jobs, progress=progress)
    with timer.stage("publish"):
        files = [*static, *attached, *processed.files, *extra, *pages]
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
        stale=tuple((b, loc, newer) for (b, loc), newer in status.stale.items()),
        broken=tuple(broken),
    )


def load_bundles(settings: Settings) -> tuple[Bundle, ...]:
    """Every bundle of the site as written, drafts and embargoed translations included.

    For commands that look at the content rather than the public site (embargoes,
    translation status); content errors are raised as in a build.
    """
    loaded = content.load(settings)
    raise_all(loaded.errors)
    return loaded.bundles


def translation_status(
    settings: Settings, bundles: Iterable[Bundle], state: BuildState | None = None
) -> translations.Status:
    """The translation status of ``bundles``; git is read only when it can matter."""
    bundles = list(bundles)
    history = None
    if translations.needs_history(bundles):
        cache = state.history if state is not None else None
        history = translations.commit_history(settings.root, settings.content_dir, cache=cache)
    return translations.status(settings, bundles, history=history)


def planned_images(plan: images.ImagePlan) -> set[str]:
    """Output paths of every image variant (and structured-data crop) the plan will make."""
    out = {v.output for page in plan.pages.values() for img in page.values() for v in img.variants}
    for crops in plan.crops.values():
        out.update(crop.variant.output for crop in crops)
    return out


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
