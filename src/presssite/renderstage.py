"""The render stage of a build: the pages whose recorded reads changed rendered, the feeds
made meanwhile, and what the reference check and the publish need of them.

A page is made again unless what it read last time (``render.dependencies``) is as it
was and its bytes are in the output as published (found by the manifest, or by their
hash in an output restored elsewhere) or in a blob. When the
publish will swap a new folder in (``output.publish.swaps``: no manifest of the output,
or more pages new than a publish in place takes), the render workers write the pages
straight into that folder (``staging.Staging``); else the few new pages go to the build
cache's blobs, from which the publish links them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presssite.cache.hashes import tree_fingerprint
from presssite.cache.manifest import Manifest
from presssite.cache.store import digest
from presssite.feeds.cached import make_feeds
from presssite.model import OutputFile, Site
from presssite.output import publish as output
from presssite.output import refcheck, sources
from presssite.output.staging import Staging
from presssite.render import pages as render
from presssite.render import recorded
from presssite.render.dependencies import Inputs


@dataclass(frozen=True)
class Rendered:
    """What the render stage leaves for the reference check, the publish and the report."""

    flavor: str  # the page index's name: one per kind of build (preview, drafts)
    index: dict[str, Any]  # path -> (key, packed deps, sha, size, internal links), every page
    jobs: list[render.PageJob]
    shas: dict[str, str]  # output path -> sha256 of every page
    static: list[OutputFile]  # static files and attachments
    feeds: list[OutputFile]
    paths: set[str]  # every output path the build makes (images included)
    manifest: str  # the index name of the output's manifest
    kept: Manifest | None  # the manifest as kept
    previous: Manifest | None  # the manifest as the output holds it now
    rendered: int
    feeds_made: tuple[int, int]  # (made, reused)
    inputs: Inputs  # the current value of everything a page or feed can read
    feeds_index: dict[str, Any]  # feed name -> (key, deps, files)
    before: str  # the pages as the last build left them (``refcheck.pages_state``)
    rendered_paths: frozenset[str]  # the pages rendered by this build


def render_pages(
    work: Any, site: Site, loaded: Any, status: Any, plan: Any, target: Path, options: Any
) -> Rendered:
    """Render the pages whose key is new (``work``: the build's ``_Work``)."""
    settings, timer, made = work.settings, work.timer, work.made
    preview, bodies = options["preview"], loaded.bodies
    catalogs = tree_fingerprint([settings.locales_dir], work.hashes)
    base = digest(repr(settings), preview, site.include_drafts)
    inputs = Inputs(
        site,
        plan,
        base=digest(base, catalogs),
        templates=work.templates.keys(),
        parse_keys=loaded.keys,
        stale=status.stale,
    )
    page_jobs = render.plan_pages(site)
    flavor = f"pages-{int(preview)}{int(site.include_drafts)}"  # the dev server's too
    inputs.table, index = recorded.loaded(*made.pages(flavor))  # before anything is read
    before = refcheck.pages_state((path, entry[2]) for path, entry in index.items())
    inputs.value_all(options["jobs"])
    name, kept, previous = work.previous(target)
    found = previous or {}
    todo = [
        job
        for job in page_jobs
        if not _current(made, inputs, index.get(job.path), found.get(job.path, ("",))[0])
    ]
    feeds_done: list[tuple[list[OutputFile], tuple[int, int], dict[str, Any]]] = []
    record = keep = None
    if todo and output.swaps(previous, len(todo), len(page_jobs)):
        staging = work.staging = Staging(target)  # the pages go straight where a swap wants
        keep = functools.partial(staging.write, blobs=made.blobs)
        done = [0]  # pages come back in job order, slice by slice

        def record(pages: list[Any]) -> None:
            start, done[0] = done[0], done[0] + len(pages)
            for job, page in zip(todo[start : done[0]], pages, strict=True):
                if page.staged:  # else a second page of that path: publish decides
                    staging.record(job.path, page.sha, page.size, page.staged)

    def feeds() -> None:  # while the workers render, if there are any
        with timer.stage("feeds"):
            feeds_name = flavor.replace("pages", "feeds")
            feeds_done.append(make_feeds(site, plan, inputs, bodies, made, feeds_name))

    def take(pages: list[Any]) -> None:  # each slice as it comes back, its reads packed
        if record is not None:
            record(pages)
        for page in pages:
            deps = inputs.table.pack(page.deps)
            index[page.path] = (page.key, deps, page.sha, page.size, page.links)

    if todo:
        render.make_pages(
            inputs,
            work.templates.environment(),
            todo,
            store=made.blobs,
            bodies=bodies,
            preview=preview,
            workers=options["jobs"],
            links=functools.partial(refcheck.links, settings),
            meanwhile=feeds,
            each=take,
            keep=keep,
        )
    if not feeds_done:
        feeds()
    feed_files, feeds_made, feeds_index = feeds_done[0]
    index = {job.path: index[job.path] for job in page_jobs}
    shas = {job.path: index[job.path][2] for job in page_jobs}
    static = [*sources.static_files(settings), *sources.attachments(site)]
    paths = {f.path for f in (*static, *feed_files)} | shas.keys()
    return Rendered(
        flavor, index, page_jobs, shas, static, feed_files, paths, name, kept, previous,
        len(todo), feeds_made, inputs, feeds_index, before, frozenset(job.path for job in todo),
    )  # fmt: skip


def _current(made: Any, inputs: Inputs, entry: Any, published: str) -> bool:
    """Whether a page index ``entry`` (key, deps, sha, size, links) still holds: what the
    page read is as it was, and its bytes are at hand."""
    if entry is None or inputs.key(entry[1]) != entry[0]:
        return False
    return bool(made.have(entry[2:], published))


def search_index(work: Any, site: Site, made: Rendered, bodies: Any) -> Any:
    """The search index's files (``search.stage``), made only when what its records read
    changed; added to the feeds' files, which the reference check and the publish take."""
    from presssite.render import i18n
    from presssite.search import stage as search

    state = work.state
    catalogs: Any = {}  # the filters' names, in each locale's words: only when indexing
    if site.settings.search.enabled:
        catalogs = getattr(state.env, "catalogs", None) or i18n.catalogs(work.settings)
    outcome = search.run(
        site,
        inputs=made.inputs,
        catalogs=catalogs,
        full=bodies.full if bodies is not None else None,
        store=work.store,
        blobs=work.made.blobs,
        name=made.flavor.replace("pages", "search"),
        # A build without the cache keeps the bodies in a folder it removes when it ends,
        # before a job left for later would read them: it indexes now.
        later=state.search_later and work.store is not None,
        kept=state.search_kept or (),
    )
    state.search_pending = outcome.pending
    if outcome.parts:  # what an edit in the dev server indexes again is what changed
        state.search_kept = outcome.parts
    made.feeds.extend(outcome.files)
    made.paths.update(f.path for f in outcome.files)
    return outcome


def check_references(work: Any, site: Site, made: Rendered, image_paths: set[str]) -> list[Any]:
    """Every internal link of the pages checked against the paths the build makes."""
    made.paths.update(image_paths)
    return refcheck.check_pages(
        site,
        [(job.path, made.index[job.path][4]) for job in made.jobs],
        made.paths,
        unpack=render.unpack_links,
        store=work.store,
        name=made.flavor.replace("pages", "refs"),
        before=made.before,
        after=refcheck.pages_state((path, entry[2]) for path, entry in made.index.items()),
        rendered=made.rendered_paths,
    )
