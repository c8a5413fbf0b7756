"""The build: the one module that knows the order of the stages.

    (no change? done) -> content -> assemble -> translations -> plan images
        -> render (feeds meanwhile) -> check references -> images -> publish

``_Work.run`` calls them in that order, one timed call each. Every stage before
``publish`` only computes; errors from content and assembly are gathered and raised
together, and nothing in the output folder changes unless all stages succeeded (but
for the pages of a publish by swap, which the render writes into its new folder beside
the output). ``BuildReport`` counts the work done and the work skipped thanks to caches,
so that tests prove skipped work with counters.

Work is skipped by key, never by guess: the build cache keeps parsed documents by the
hash of their inputs, pages and feeds by the hash of everything they read
(``render.dependencies``, ``cache.made``), the manifest of the last output, and a fingerprint of
the whole build (``shortcut``). Inputs are known by their bytes (``cache.hashes``), so
a fresh clone with the cache restored redoes only what changed. Deleting the cache
changes no output byte.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import shutil
import tempfile
import time
from concurrent.futures import Executor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presssite import __version__, collector
from presssite.cache.hashes import FileHashes, installed, tree_fingerprint
from presssite.cache.made import Made
from presssite.cache.manifest import MANIFESTS, Manifest, manifest_name, verified
from presssite.cache.store import BuildCache, digest
from presssite.errors import raise_all
from presssite.images import executors
from presssite.images import optional as images
from presssite.model import Site, own_body
from presssite.output.preview import marker, preview_of
from presssite.render import recorded
from presssite.report import BuildReport, Timer, report_of
from presssite.settings import Settings
from presssite.shortcut import Shortcut, now_limits, unchanged_report
from presssite.state import BuildState, Snapshot

if TYPE_CHECKING:  # the stages are imported when they run: a no-change build needs none
    from collections.abc import Iterator

    from presssite.content import load as content
    from presssite.content.walk import Tree
    from presssite.output.staging import Staging

__all__ = ["BuildReport", "BuildState", "Snapshot", "build"]

log = logging.getLogger(__name__)

BUILD_VERSION = "2"  # bump when what a page or feed key covers changes
PACKAGE_DIR = Path(__file__).parent

# The modules of the stages after the parse (Atom's writer among them), imported while
# workers parse: there they cost a fraction of what they cost after it.
_LATER_STAGES = (
    "feedgen.feed",
    "presssite.feeds.atom",
    "presssite.output.publish",
    "presssite.output.refcheck",
    "presssite.render.dependencies",
    "presssite.render.pages",
    "presssite.render.social",
    "presssite.site.translations",
)


@collector.building()
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
    cache: bool = True,
) -> BuildReport:
    """Build the site into ``target``; raise ``PresssiteError`` (often an ``ErrorList``).

    ``preview`` shows embargoed releases with a "not public" banner (the dev server);
    ``include_drafts`` shows drafts. ``now`` is the build clock for embargo and expiry.
    Broken internal references are logged as warnings, or with ``strict`` raised as
    errors before anything is published. ``jobs`` bounds the worker processes (pages and
    images); ``executor`` runs the image stage (e.g. a dask.distributed cluster's).
    ``cache=False`` neither reads nor writes the build cache (``<cache_dir>/build``).
    """
    started = time.perf_counter()
    real_now = datetime.now(UTC)
    now = now or real_now
    snapshot = state is not None  # a caller that keeps its state may apply edits next
    state = state or BuildState()
    timer = Timer()
    memory = state.memory if snapshot else None  # kept only by a long-running caller
    store = BuildCache.open(settings, memory=memory) if cache else None
    hashes = FileHashes.load(store, settings.root)
    code = tree_fingerprint([PACKAGE_DIR], hashes)
    if store is not None:
        store.salt = digest(BUILD_VERSION, __version__, code, installed())
    flags = (preview, include_drafts, strict, now > real_now)  # the last: a preview mark
    with timer.stage("check"):
        shortcut = Shortcut(settings, store, target=target, flags=flags, now=now, hashes=hashes)
        previous = shortcut.unchanged()
    collector.keep()
    if previous is not None:
        for problem in previous.broken:
            log.warning("%s", problem.error(settings).format(relative_to=settings.root))
        hashes.save(store, whole=False)
        if store is not None:
            store.close()
        return unchanged_report(previous, timer.timings, time.perf_counter() - started)
    work = _Work(settings, store, state, timer, hashes)
    work.snapshot = snapshot
    if executor is None and settings.images.executor is not None:
        executor = work.executor = executors.open_executor(settings.images.executor)
    try:
        options = dict(preview=preview, jobs=jobs, executor=executor, progress=progress)
        report = work.run(shortcut.tree, target, now, include_drafts, strict, options)
        shortcut.record(report, work.site_now_limits)
        hashes.save(store, whole=True)
        return replace(report, timings=timer.timings, elapsed=time.perf_counter() - started)
    finally:
        work.close()


class _Work:
    """One build's stages, with the caches they share."""

    def __init__(
        self,
        settings: Settings,
        store: BuildCache | None,
        state: BuildState,
        timer: Timer,
        hashes: FileHashes,
    ) -> None:
        from presssite.content.store import DocumentStore
        from presssite.render.environment import Templates

        self.settings, self.store, self.state, self.timer = settings, store, state, timer
        self.hashes = hashes
        self.temp: Path | None = None
        if store is None:  # blobs still go through a cache: a temporary one
            self.temp = _temp_folder(settings)
            self.made = Made(None, BuildCache(self.temp))
        else:
            self.made = Made(store, store)
        self.docs = DocumentStore(store)
        self.templates = Templates(settings, store, state, hashes)
        self.executor: Executor | None = None  # opened from the settings: closed here
        self.site_now_limits: tuple[datetime | None, datetime | None] = (None, None)
        self.snapshot = False  # leave a ``Snapshot`` in the state for ``edits``
        self.staging: Staging | None = None  # where the pages went, if made early

    def close(self) -> None:
        if self.staging is not None:
            self.staging.discard()  # gone already after a swap; a failed build's leftovers
        if self.executor is not None:
            self.executor.shutdown()
        self.docs.close()
        if self.store is not None:
            self.store.close()
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)

    def run(
        self,
        tree: Tree | None,
        target: Path,
        now: datetime,
        include_drafts: bool,
        strict: bool,
        options: dict[str, Any],
    ) -> BuildReport:
        """The stages in order, each timed."""
        from presssite import renderstage
        from presssite.output import refcheck
        from presssite.site import skeletons
        from presssite.site import status as translations

        settings, stage, preview = self.settings, self._stage, options["preview"]
        with stage("content"):
            loaded = self._parse(tree, options["jobs"])
        with stage("assemble"):
            site = self._assemble(loaded, now, include_drafts, preview)
        with stage("translations"):
            status = translations.translation_status(
                settings, site.bundles.values(), self.state.history, self.store
            )
        for unfinished in skeletons.unfinished(site, loaded.bodies):
            log.warning("%s", unfinished)
        with stage("plan images"):
            plan = _plan_images(site, loaded, options, self.hashes, self.store)
        with stage("render"):  # and the feeds meanwhile, timed apart
            made = renderstage.render_pages(self, site, loaded, status, plan, target, options)
        with stage("search"):
            searched = renderstage.search_index(self, site, made, loaded.bodies)
        with stage("check references"):
            broken = renderstage.check_references(self, site, made, images.planned_outputs(plan))
        if strict:
            raise_all(b.error(settings) for b in broken)
        refcheck.warn(settings, broken)
        with stage("images"):
            processed = images.process(
                plan, settings, options["executor"], options["jobs"], options["progress"]
            )
        with stage("publish"):
            published = self._publish(made, processed, target, site, preview)
        if self.snapshot and loaded.tree is not None:
            self.state.last = Snapshot(
                settings=settings,
                target=target,
                preview=preview,
                site=site,
                parsed={(b.id, lo): d for b in loaded.bundles for lo, d in b.translations.items()},
                tree=loaded.tree,
                plan=plan,
                stale=status.stale,
                bodies=loaded.bodies,
                made=frozenset(made.paths),
                limits=self.site_now_limits,
                manifest=published.manifest,
                inputs=made.inputs,
                pages={job.path: (*made.index[job.path][:2], job) for job in made.jobs},
                feeds={name: entry[:2] for name, entry in made.feeds_index.items()},
            )
        done = (processed, made, broken, published, searched)
        return report_of(target, site, loaded, status, plan, *done)

    @contextlib.contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        """A timed stage, after which what it made lives on until the build ends: the
        collector stops walking it (``collector``)."""
        with self.timer.stage(name):
            yield
        collector.keep()

    def _parse(self, tree: Tree | None, jobs: int | None) -> content.Loaded:
        from presssite.content import load as content

        def meanwhile() -> None:  # while documents parse in workers
            for name in _LATER_STAGES:
                importlib.import_module(name)
            self.templates.warm()

        return content.load(
            self.settings,
            cache=self.state.parse_cache,
            store=self.docs,
            jobs=jobs,
            tree=tree,
            meanwhile=meanwhile,
            hashes=self.hashes,
        )

    def _assemble(
        self, loaded: content.Loaded, now: datetime, include_drafts: bool, preview: bool
    ) -> Site:
        from presssite.feeds.sitemaps import NEWS_WINDOW
        from presssite.site import assemble

        site, problems = assemble.assemble(
            self.settings,
            loaded.bundles,
            now=now,
            include_drafts=include_drafts,
            include_embargoed=preview,
        )
        raise_all([*loaded.errors, *problems])
        self.site_now_limits = now_limits(site, loaded.bundles, NEWS_WINDOW)
        return site

    def previous(self, target: Path) -> tuple[str, Manifest | None, Manifest | None]:
        """The manifest of ``target``: its index name, as kept, and as ``target`` holds it
        now (``verified``: None without a manifest or an output folder)."""
        name = manifest_name(target)
        kept = self.store.load(name) if self.store is not None else None
        last = self.state.last
        if last is not None and last.target.resolve() == target.resolve():
            kept = last.manifest  # it knows of the files ``edits`` wrote since
        if not isinstance(kept, dict):
            return name, None, None
        return name, kept, verified(target.resolve(), kept)

    def _publish(self, made: Any, processed: Any, target: Path, site: Site, preview: bool) -> Any:
        from presssite.output import publish as output

        files = [*made.static, *processed.files, *made.feeds]
        mark = preview_of(
            include_drafts=site.include_drafts,
            show_embargoed=preview,
            now=site.now,
            real_now=datetime.now(UTC),
        )
        files += [marker(mark)] if mark is not None else []
        name, kept = made.manifest, made.kept

        def before_changes() -> None:  # the manifest no longer holds once this starts
            if self.store is not None:
                self.store.forget(name)

        published = output.publish(
            files,
            pages=made.shas,
            blobs=self.made.blobs,
            target=target,
            previous=made.previous,
            checked=True,
            before_changes=before_changes,
            staging=self.staging,
            hashes=self.hashes,
        )
        self.staging = None  # swapped in or discarded: nothing left to remove
        if self.store is not None:
            if published.manifest != kept:
                self.store.save(name, published.manifest)
                self.store.trim((MANIFESTS, "last-"), keep=8)
            table, index = made.inputs.table, made.index
            self.made.save_pages(made.flavor, index, lambda: recorded.to_keep(table, index))
            self.made.prune({entry[2] for entry in made.index.values()})
        return published


def _plan_images(
    site: Site, loaded: Any, options: dict[str, Any], hashes: FileHashes, store: Any
) -> Any:
    """The image plan, with the press kits of the public releases (``is_public`` decides,
    so a preview with drafts still puts no draft or embargoed release in a kit); photos
    whose bytes the check stage hashed are known by that hash (``FileHashes.known_sha``);
    the sizes of the kits' texts and of the downloads' metadata are kept in ``store``
    by what they are made of (``cache.facts``)."""
    from presssite.cache.facts import Facts
    from presssite.render import plaintext
    from presssite.site.assemble import is_public

    body = loaded.bodies.get if loaded.bodies is not None else own_body
    texts = plaintext.ReleaseTexts(site.settings, body, loaded.keys)
    facts = Facts(store)
    plan = images.plan(
        site,
        site.settings,
        release_text=texts,
        public=lambda doc: is_public(doc, site.now),
        executor=options["executor"],
        jobs=options["jobs"],
        known=hashes.known_sha,
        facts=facts,
    )
    facts.save()
    return plan


def _temp_folder(settings: Settings) -> Path:
    """A private cache folder, beside the real one when possible (hard links need one disk)."""
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-tmp-", dir=settings.cache_dir))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="presssite-build-"))
