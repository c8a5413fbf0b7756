"""The build: the one module that knows the order of the stages.

    settings -> content -> site model -> translation status -> image plan
             -> pages, feeds -> reference check -> images -> publish

Every stage before ``publish`` only computes; errors from content and assembly are
gathered and raised together, and nothing in the output folder changes unless all
stages succeeded. Each stage is timed, and ``BuildReport`` counts the work done (and
the work skipped thanks to caches), so that tests prove skipped work with counters.

Work is skipped by key, never by guess: the build cache (``buildcache``) keeps parsed
documents by the hash of their inputs, pages and feeds by the hash of everything they
read (``render.dependencies``), the manifest of the last output, and a fingerprint of the whole
build. A page or feed is made only when its key is new; ``output.publish`` then touches
only the files whose bytes changed. Deleting the cache changes no output byte.
"""

from __future__ import annotations

import functools
import gc
import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presssite import __version__, buildsteps
from presssite.cache import store as buildcache
from presssite.cache.store import (
    BuildCache,
    as_published,
    digest,
    installed,
    manifest_name,
    tree_fingerprint,
)
from presssite.errors import raise_all
from presssite.images import executors
from presssite.model import OutputFile, Site
from presssite.output.preview import marker, preview_of
from presssite.settings import Settings
from presssite.shortcut import Shortcut, now_limits, unchanged_report

if TYPE_CHECKING:  # the stages are imported when they run: a no-change build needs none
    from collections.abc import Mapping

    from presssite.cache.store import Manifest
    from presssite.content import load as content
    from presssite.content.store import Bodies
    from presssite.content.walk import Tree
    from presssite.model import Translation
    from presssite.output import refcheck
    from presssite.output.staging import Beside, Staging
    from presssite.site import translations

log = logging.getLogger(__name__)

BUILD_VERSION = "2"  # bump when what a page or feed key covers changes
PACKAGE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Snapshot:
    """What a successful build leaves for ``apply_edits``: its site and where it went."""

    settings: Settings
    target: Path  # the folder the build published into
    preview: bool
    site: Site
    parsed: Mapping[tuple[str, str], Translation]  # as parsed, before assembly, no body
    tree: Tree  # the walk of content/ the build used
    plan: Any  # the image plan (``images.Plan``)
    stale: Mapping[tuple[str, str], str]  # translation status: outdated translations
    bodies: Bodies | None  # where the bodies of the site's translations are
    made: frozenset[str]  # every output path of the build (for the reference check)
    limits: tuple[datetime | None, datetime | None]  # clocks the output holds between
    manifest: Manifest  # what ``target`` holds, as ``output.publish`` left it
    inputs: Any = None  # the build's ``dependencies.Inputs`` (its base, templates, keys)
    pages: Mapping[str, Any] = field(default_factory=dict)  # path -> (key, deps, job)
    feeds: Mapping[str, Any] = field(default_factory=dict)  # name -> (key, deps)
    readers: Any = None  # ``dependencies.Readers`` of pages and feeds, made by ``edits``


@dataclass
class BuildState:
    """Caches carried from one build to the next by a long-running process (``serve``).

    Deliberately mutable and passed in, never global: a fresh state gives a cold build
    (apart from the on-disk build cache, which ``build(cache=False)`` leaves alone).
    """

    parse_cache: content.ParseCache = field(default_factory=lambda: _content().ParseCache())
    env: Any = None  # the Jinja environment; None after a template or settings change
    history: dict[str, Any] = field(default_factory=dict)  # git commit times, by HEAD
    last: Snapshot | None = None  # the last successful build, for ``edits.apply_edits``
    memory: dict[Any, Any] = field(default_factory=dict)  # the build cache's indexes
    search_later: bool = False  # leave a changed search index to the caller (``serve``)
    search_pending: Any = None  # the index the last build left (``search.stage.Pending``)
    search_kept: Any = None  # (key, files) of an index made in the background

    def forget_templates(self) -> None:
        self.env = None


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
    search_indexed: int = 0  # 1: the search indexer ran (an indexed page changed)
    search_reused: int = 0  # 1: the last search index was still right
    notes: tuple[str, ...] = ()  # things the user may want to know, not problems


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
    timer = _Timer()
    salt = digest(BUILD_VERSION, __version__, tree_fingerprint([PACKAGE_DIR]), installed())
    memory = state.memory if snapshot else None  # kept only by a long-running caller
    store = BuildCache.open(settings, salt, memory) if cache else None
    flags = (preview, include_drafts, strict, now > real_now)  # the last: a preview mark
    with timer.stage("check"):
        shortcut = Shortcut(settings, store, target=target, flags=flags, now=now)
        # the record holds the report this module gave ``Shortcut.record``
        previous: BuildReport | None = shortcut.unchanged()
    if previous is not None:
        for problem in previous.broken:
            log.warning("%s", problem.error(settings).format(relative_to=settings.root))
        if store is not None:
            store.close()
        return unchanged_report(previous, timer.timings, time.perf_counter() - started)
    work = _Work(settings, store, state, timer)
    work.snapshot = snapshot
    if executor is None and settings.images.executor is not None:
        executor = work.executor = executors.open_executor(settings.images.executor)
    try:
        report = work.run(
            tree=shortcut.tree,
            target=target,
            now=now,
            include_drafts=include_drafts,
            preview=preview,
            jobs=jobs,
            executor=executor,
            progress=progress,
            strict=strict,
            started=started,
        )
        shortcut.record(report, work.site_now_limits)
        return _with_timings(report, timer, started)
    finally:
        gc.unfreeze()
        work.close()


class _Work:
    """One build's stages, with the caches they share."""

    def __init__(
        self, settings: Settings, store: BuildCache | None, state: BuildState, timer: _Timer
    ) -> None:
        self.settings = settings
        self.store = store
        self.state = state
        self.timer = timer
        self.temp: Path | None = None
        if store is None:  # blobs still go through a cache: a temporary one
            self.temp = _temp_folder(settings)
            self.blobs = BuildCache(self.temp)
        else:
            self.blobs = store
        from presssite.content.store import DocumentStore

        self.docs = DocumentStore(store)
        self._loaded: dict[str, dict[str, Any]] = {}
        self._kinds: tuple[str, dict[str, str]] | None = None  # ``_template_keys``
        self.executor: Executor | None = None  # opened from the settings: closed here
        self.site_now_limits: tuple[datetime | None, datetime | None] = (None, None)
        self.snapshot = False  # leave a ``Snapshot`` in the state for ``edits``
        self.staging: Staging | Beside | None = None  # where the pages went, if made early
        self._kept: tuple[str, Manifest] | None = None  # a manifest forgotten for ``Beside``

    def close(self) -> None:
        if self.staging is not None:
            self.staging.discard()  # gone already after a swap; a failed build's leftovers
            if self._kept is not None and self.store is not None:
                self.store.save(*self._kept)  # the failed build left the output as it was
        if self.executor is not None:
            self.executor.shutdown()
        self.docs.close()
        if self.store is not None:
            self.store.close()
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)

    def run(
        self,
        *,
        tree: Any,
        target: Path,
        now: datetime,
        include_drafts: bool,
        preview: bool,
        jobs: int | None,
        executor: Executor | None,
        progress: bool,
        strict: bool,
        started: float,
    ) -> BuildReport:
        from presssite.content import load as content
        from presssite.site import assemble as site_

        settings, timer, state = self.settings, self.timer, self.state
        with timer.stage("content"):
            loaded = content.load(
                settings,
                cache=state.parse_cache,
                store=self.docs,
                jobs=jobs,
                tree=tree,
                meanwhile=self._while_parsing,
            )
        gc.freeze()  # the caches just loaded are long-lived: keep the collector off them
        with timer.stage("assemble"):
            site, problems = site_.assemble(
                settings,
                loaded.bundles,
                now=now,
                include_drafts=include_drafts,
                include_embargoed=preview,
            )
        raise_all([*loaded.errors, *problems])
        from presssite.feeds.sitemaps import NEWS_WINDOW

        self.site_now_limits = now_limits(site, loaded.bundles, NEWS_WINDOW)

        with timer.stage("translations"):
            status = buildsteps.translation_status(
                settings, site.bundles.values(), state.history, self.store
            )
        return self.finish(
            site,
            loaded,
            status,
            target=target,
            preview=preview,
            jobs=jobs,
            executor=executor,
            progress=progress,
            strict=strict,
            started=started,
        )

    def finish(
        self,
        site: Site,
        loaded: content.Loaded,
        status: translations.Status,
        *,
        target: Path,
        preview: bool,
        jobs: int | None,
        executor: Executor | None,
        progress: bool,
        strict: bool,
        started: float,
    ) -> BuildReport:
        from presssite.feeds.sitemaps import robots_note
        from presssite.output import publish as output
        from presssite.output import refcheck
        from presssite.output.staging import Beside, Staging
        from presssite.render import pages as render
        from presssite.render.dependencies import Inputs

        settings, timer, state, blobs = self.settings, self.timer, self.state, self.blobs
        bodies = loaded.bodies
        for unfinished in buildsteps.unfinished(site, bodies):
            log.warning("%s", unfinished)
        with timer.stage("plan images"):
            plan = buildsteps.plan_images(site, settings, bodies, executor, jobs)
        with timer.stage("render"):
            catalogs = tree_fingerprint([settings.locales_dir])
            base = digest(repr(settings), preview, site.include_drafts)
            inputs = Inputs(
                site,
                plan,
                base=digest(base, catalogs),
                templates=self._template_keys(),
                parse_keys=loaded.keys,
                stale=status.stale,
            )
            page_jobs = render.plan_pages(site)
            flavor = f"pages-{int(preview)}{int(site.include_drafts)}"  # the dev server's too
            index = self._index(flavor)
            manifest = manifest_name(target)
            previous = self.store.load(manifest) if self.store is not None else None
            last = state.last
            if last is not None and last.target.resolve() == target.resolve():
                previous = last.manifest  # it knows of the files ``edits`` wrote since
            # A page is made again unless what it read last time is as it was, and its
            # bytes are in the output (as published, untouched) or in a blob.
            found = as_published(target, previous) if previous is not None else {}
            untouched = previous is not None and len(found) == len(previous)
            todo = [
                job
                for job in page_jobs
                if not self._current(inputs, index.get(job.path), found.get(job.path, ("",))[0])
            ]
            feeds_done: list[tuple[list[OutputFile], tuple[int, int], dict[str, Any]]] = []
            stage = keep = None
            early = output.early_writes(previous if untouched else None, len(todo), len(page_jobs))
            if todo and early is not None:
                # The pages go straight where the publish wants them: into the folder a
                # swap puts in place, or beside their place in the output.
                staging: Staging | Beside
                if early == "swap":
                    staging = self.staging = Staging(target)
                else:
                    assert previous is not None
                    staging = self.staging = Beside(target, previous)
                    staging.planned = [job.path for job in todo]
                    # Should the build die before it removes what it wrote beside the
                    # output, the next one swaps; a build that fails here puts it back.
                    self._forget(manifest)
                    self._kept = (manifest, previous)
                keep = functools.partial(staging.write, blobs=blobs)
                done = [0]  # pages come back in job order, slice by slice

                def stage(made: list[Any]) -> None:
                    start, done[0] = done[0], done[0] + len(made)
                    for job, page in zip(todo[start : done[0]], made, strict=True):
                        if page.staged:  # else a second page of that path: publish decides
                            staging.record(job.path, page.sha, page.size, page.staged)

            def make_feeds() -> None:  # while the workers render, if there are any
                with timer.stage("feeds"):
                    feeds_done.append(self._feeds(site, plan, inputs, bodies, flavor))

            if todo:
                self._environment()
                made = render.make_pages(
                    inputs,
                    state.env,
                    todo,
                    store=blobs,
                    bodies=bodies,
                    preview=preview,
                    workers=jobs,
                    links=functools.partial(refcheck.links, settings),
                    meanwhile=make_feeds,
                    each=stage,
                    keep=keep,
                )
                for page in made:
                    deps = inputs.shared(page.deps)
                    index[page.path] = (page.key, deps, page.sha, page.size, page.links)
                if isinstance(self.staging, Beside):
                    self.staging.rendered()
            pages_index = {job.path: index[job.path] for job in page_jobs}
        if not feeds_done:
            make_feeds()
        feed_files, feeds_made, feeds_index = feeds_done[0]
        with timer.stage("search"):
            searched = self._search(site, inputs, bodies, flavor)
        feed_files = [*feed_files, *searched.files]
        static, attached = buildsteps.static_files(settings), buildsteps.attachments(site)
        with timer.stage("check references"):
            page_shas = {job.path: pages_index[job.path][2] for job in page_jobs}
            made_paths = {f.path for f in (*static, *attached, *feed_files)} | page_shas.keys()
            made_paths |= buildsteps.planned_images(plan)
            broken = refcheck.check_pages(
                site,
                [(job.path, pages_index[job.path][4]) for job in page_jobs],
                made_paths,
                unpack=render.unpack_links,
                store=self.store,
                name=flavor.replace("pages", "refs"),
            )
        if strict:
            raise_all(b.error(settings) for b in broken)
        for problem in broken:
            log.warning("%s", problem.error(settings).format(relative_to=settings.root))
        with timer.stage("images"):
            processed = buildsteps.process_images(plan, settings, executor, jobs, progress)
        with timer.stage("publish"):
            files = [*static, *attached, *processed.files, *feed_files]
            mark = preview_of(
                include_drafts=site.include_drafts,
                show_embargoed=preview,
                now=site.now,
                real_now=datetime.now(UTC),
            )
            files += [marker(mark)] if mark is not None else []
            published = output.publish(
                files,
                pages=page_shas,
                blobs=blobs,
                target=target,
                previous=previous,
                checked=untouched,
                before_changes=lambda: self._changing(manifest),
                staging=self.staging,
            )
            self.staging = None  # swapped in or renamed: nothing left to discard
            if self.store is not None:
                if published.mode != "unchanged" or self._kept is not None:
                    self.store.save(manifest, published.manifest)
                    self.store.trim((buildcache.MANIFESTS, "last-"), keep=8)
                if pages_index != self._loaded.get(flavor):
                    self.store.save(flavor, pages_index)
                self._prune({e[2] for e in pages_index.values()})
        if self.snapshot and loaded.tree is not None:
            state.last = Snapshot(
                settings=settings,
                target=target,
                preview=preview,
                site=site,
                parsed={(b.id, lo): d for b in loaded.bundles for lo, d in b.translations.items()},
                tree=loaded.tree,
                plan=plan,
                stale=status.stale,
                bodies=bodies,
                made=frozenset(made_paths),
                limits=self.site_now_limits,
                manifest=published.manifest,
                inputs=inputs,
                pages={job.path: (*pages_index[job.path][:2], job) for job in page_jobs},
                feeds={name: entry[:2] for name, entry in feeds_index.items()},
            )

        return BuildReport(
            target=target,
            documents={
                loc: len(site.releases[loc]) + len(site.pages[loc]) for loc in settings.locales
            },
            pages=sum(1 for job in page_jobs if job.path.endswith(".html")),
            files=published.files,
            photos=len({p.path for doc in site.translations() for p in doc.photos}),
            images_processed=processed.processed,
            images_cached=processed.cached,
            documents_parsed=loaded.parsed,
            documents_reused=loaded.reused,
            missing=site.missing,
            uncredited=tuple(str(p) for p in plan.uncredited),
            timings={},
            elapsed=time.perf_counter() - started,
            stale=tuple((b, loc, newer) for (b, loc), newer in status.stale.items()),
            broken=tuple(broken),
            pages_rendered=len(todo),
            pages_reused=len(page_jobs) - len(todo),
            feeds_made=feeds_made[0],
            feeds_reused=feeds_made[1],
            search_indexed=searched.indexed,
            search_reused=searched.reused,
            notes=robots_note(settings),
            files_changed=published.changed,
            files_removed=published.removed,
            publish_mode=published.mode,
        )

    def _environment(self) -> Any:
        """The Jinja environment, made once and kept in the state (``serve`` keeps it)."""
        if self.state.env is None:
            from presssite.render import templates as templating

            compiled = self.store.root / "jinja" if self.store is not None else None
            self.state.env = templating.make_environment(self.settings, compiled=compiled)
        return self.state.env

    def _while_parsing(self) -> None:
        """While documents parse in workers: the later stages' modules, the environment,
        compiled templates, the templates' keys (else all of it waits for the parse)."""
        from presssite.render import templates as templating

        buildsteps.import_later_stages()
        try:
            env = self._environment()
        except Exception:  # noqa: BLE001 - made again, and reported, when pages render
            self.state.env = None
            return
        templating.warm_templates(env)
        self._template_keys()  # kept, where the render stage finds them

    def _template_keys(self) -> dict[str, str]:
        """Each kind of page's templates, hashed (``templating.template_keys``): kept in
        the cache while no file of the site's templates changed (the theme's are
        presssite's code, which salts the cache)."""
        from presssite.render import templates as templating

        name = "template-keys"
        where = tree_fingerprint([self.settings.templates_dir])
        kept = self._kinds
        if kept is None or kept[0] != where:
            kept = self.store.load(name) if self.store is not None else None
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == where:
            self._kinds = kept
            return dict(kept[1])
        try:
            keys = templating.template_keys(self._environment())
        except Exception:  # noqa: BLE001 - the render stage makes it again, and reports
            self.state.env = None
            return {kind: where for kind in templating.KIND_TEMPLATES}
        self._kinds = (where, keys)
        if self.store is not None:
            self.store.save(name, self._kinds)
        return keys

    # ---- the cache's indexes

    def _index(self, name: str) -> dict[str, Any]:
        found = self.store.load(name) if self.store is not None else None
        self._loaded[name] = dict(found) if isinstance(found, dict) else {}
        return dict(self._loaded[name])

    def _current(self, inputs: Any, entry: Any, published: str) -> bool:
        """Whether a page index ``entry`` (key, deps, sha, size, links) still holds: what
        the page read is as it was, and its bytes are at hand."""
        if entry is None or inputs.key(entry[1]) != entry[0]:
            return False
        return self._have(entry[2:], published)

    def _have(self, entry: Any, published: str = "") -> bool:
        """Whether the bytes of an index ``entry`` (sha, size, ...) are at hand: in the
        output file whose manifest identity is ``published``, or in a blob."""
        if entry is None:
            return False
        return published == f"sha:{entry[0]}" or self.blobs.has(entry[0], entry[1])

    def _forget(self, name: str) -> None:
        if self.store is not None:
            self.store.forget(name)

    def _changing(self, manifest: str) -> None:
        """The publish is about to change the output in place: its manifest no longer holds."""
        self._forget(manifest)
        self._kept = None

    def _feeds(
        self, site: Site, plan: Any, inputs: Any, bodies: Any, flavor: str
    ) -> tuple[list[OutputFile], tuple[int, int], dict[str, Any]]:
        """Every feed file, made only when what it read changed; (files, (made, reused),
        the feeds' index: name -> (key, deps, files))."""
        from presssite.feeds import atom as feeds

        jobs = feeds.plan(site, plan, full=bodies.full if bodies is not None else None)
        name = flavor.replace("pages", "feeds")
        index = self._index(name)
        made = 0
        new_index = {}
        for job in jobs:
            entry = index.get(job.name)
            if (
                entry is None
                or inputs.key(entry[1]) != entry[0]
                or not all(self._have(e[1:]) for e in entry[2])
            ):
                reads = inputs.reads()
                kept = tuple((f.path, *self.blobs.put(f.data or b"")) for f in job.make(reads))
                deps = reads.deps()
                entry = (inputs.key(deps), deps, kept)
                made += 1
            new_index[job.name] = entry
        if self.store is not None and new_index != self._loaded.get(name):
            self.store.save(name, new_index)
        files = [
            OutputFile(path=path, source=self.blobs.blob_path(sha))
            for entry in new_index.values()
            for path, sha, _size in entry[2]
        ]
        return files, (made, len(jobs) - made), new_index

    def _search(self, site: Site, inputs: Any, bodies: Any, flavor: str) -> Any:
        """The search index's files (``search.stage``), made only when a record changed."""
        from presssite.render import i18n
        from presssite.search import stage as search

        state = self.state
        catalogs = getattr(state.env, "catalogs", None) or i18n.catalogs(self.settings)
        outcome = search.run(
            site,
            inputs=inputs,
            catalogs=catalogs,
            full=bodies.full if bodies is not None else None,
            store=self.store,
            blobs=self.blobs,
            name=flavor.replace("pages", "search"),
            later=state.search_later,
            kept=state.search_kept,
        )
        state.search_pending = outcome.pending
        return outcome

    def _prune(self, live: set[str]) -> None:
        """Delete blobs no index refers to, once they clearly outnumber the live ones."""
        assert self.store is not None
        if self.blobs.blob_count() <= 2 * len(live) + 500:
            return
        for flavor in ("00", "01", "10", "11"):
            for entry in (self.store.load(f"pages-{flavor}") or {}).values():
                live.add(entry[2])
            for entry in (self.store.load(f"feeds-{flavor}") or {}).values():
                live.update(sha for _path, sha, _size in entry[2])
            search = self.store.load(f"search-{flavor}")
            if isinstance(search, tuple) and len(search) == 3:
                live.update(sha for _path, sha, _size in search[2])
        self.blobs.prune_blobs(live)


def _temp_folder(settings: Settings) -> Path:
    """A private cache folder, beside the real one when possible (hard links need one disk)."""
    try:
        settings.cache_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-tmp-", dir=settings.cache_dir))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="presssite-build-"))


def _with_timings(report: BuildReport, timer: _Timer, started: float) -> BuildReport:
    from dataclasses import replace

    return replace(report, timings=timer.timings, elapsed=time.perf_counter() - started)


def _content() -> Any:
    from presssite.content import load as content

    return content
