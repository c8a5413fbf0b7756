"""The dev server's quick rebuild: an edit of documents' words, applied in place.

Most saves during a preview change the text of one release: its body, title or
summary. Such an edit leaves the site's shape as it was (every URL, list order, tag,
photo and notice), so ``apply_edits`` re-parses the edited files, checks that the site
places them alike (``site.placed_alike``, and the same photos and attachments, which the
image plan and the published files hold), and makes again only the pages and feeds
whose recorded reads (``render.dependencies``, kept by the last build in its
``Snapshot``) have a new value: the same rule a build applies, on just the outputs that
read an edited document. They are written into the folder being served.

Anything else (a new, deleted or renamed file, a changed date, slug, tag, photo,
draft or embargo field, a clock that crossed an embargo or expiry) makes
``apply_edits`` return None, and the caller runs a build. The result is byte for byte
what a build would publish, which the tests check by building the same site afresh.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from presssite.content import load as content
from presssite.content.store import StoredDoc
from presssite.content.walk import INDEX
from presssite.errors import raise_all
from presssite.feeds import atom as feeds
from presssite.model import OutputFile, Translation, own_body
from presssite.output import inplace as output
from presssite.output import refcheck
from presssite.render import pages as render
from presssite.render.dependencies import Inputs, after_edit
from presssite.render.readers import Readers
from presssite.site import assemble as site_
from presssite.state import Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """What ``apply_edits`` did."""

    snapshot: Snapshot  # the site as it is now, for the next edit
    parsed: tuple[StoredDoc, ...]  # the files parsed (for the build's parse cache)
    pages: int  # pages rendered
    feeds: int  # feed files made


def apply_edits(
    snapshot: Snapshot, paths: Iterable[Path], *, env: Any, now: datetime
) -> Applied | None:
    """Apply edits of ``paths`` to the snapshot's folder; None when a build is needed.

    Raises ``PresssiteError`` for the edited files' content errors, as a build would
    (the snapshot and its folder are then left as they were).
    """
    edited = _edited_files(snapshot, paths)
    last = snapshot.inputs
    if edited is None or env is None or last is None or not _holds(snapshot.limits, now):
        return None
    settings, site = snapshot.settings, snapshot.site
    results = [content.parse_file(settings, snapshot.tree, Path(path)) for path in edited]
    raise_all(error for result in results for error in result.parsed.errors)
    docs: dict[tuple[str, str], Translation] = {}
    parsed = dict(snapshot.parsed)
    keys = dict(last.parse_keys)
    for result in results:
        new = result.full.translation if result.full is not None else None
        if new is None:
            return None
        where = (new.bundle, new.locale)
        old = snapshot.parsed.get(where)
        shown = site.bundles.get(new.bundle)
        published = shown.translations.get(new.locale) if shown is not None else None
        if old is None or published is None or not _alike(old, new):
            return None
        docs[where] = replace(new, slug=published.slug, url=published.url)
        parsed[where] = new
        keys[where] = result.key
    site = site_.substitute(site, docs, now=now)
    plan, kits = _press_kits(snapshot, docs)
    inputs = after_edit(last, site, keys, docs)
    inputs.images = plan  # the edited releases' kits hold their new text
    readers = snapshot.readers
    if readers is None:
        outputs = {**snapshot.feeds, **snapshot.pages}
        readers = Readers({name: inputs.table.unpack(entry[1]) for name, entry in outputs.items()})
    pages = _changed(inputs, snapshot.pages, readers.of(docs))
    feed_names = _changed(inputs, snapshot.feeds, readers.of(docs))
    bodies = snapshot.bodies  # the edited versions carry their bodies, the others a ref
    new_pages = dict(snapshot.pages)
    new_feeds = dict(snapshot.feeds)
    made: list[OutputFile] = []
    try:
        jobs = [snapshot.pages[path][2] for path in pages]
        rendered = []
        for job, data, deps in render.render_pages(
            inputs, env, jobs, bodies=bodies, preview=snapshot.preview
        ):
            rendered.append(OutputFile(path=job.path, data=data))
            new_pages[job.path] = (inputs.key(deps), deps, job)
            readers.add(job.path, deps)
        full = bodies.full if bodies else None
        for feed in feeds.plan(site, snapshot.plan, full=full):
            if feed.name in feed_names:
                reads = inputs.reads()
                made += feed.make(reads)
                deps = reads.deps()
                new_feeds[feed.name] = (inputs.key(deps), deps)
                readers.add(feed.name, deps)
    finally:
        if bodies is not None:
            bodies.packs.close()
    refcheck.warn(settings, refcheck.check(site, rendered, snapshot.made))  # as a build does
    _, manifest = output.update(snapshot.target, rendered + made + kits, snapshot.manifest)
    return Applied(
        snapshot=replace(
            snapshot,
            site=site,
            parsed=parsed,
            bodies=bodies,
            manifest=manifest,
            inputs=inputs,
            pages=new_pages,
            feeds=new_feeds,
            readers=readers,
            plan=plan,
        ),
        parsed=tuple(results),
        pages=len(rendered),
        feeds=len(made),
    )


def _press_kits(
    snapshot: Snapshot, docs: dict[tuple[str, str], Translation]
) -> tuple[Any, list[OutputFile]]:
    """The plan with the edited releases' press kits holding their new text, and those
    kits: each rewritten from the one served, its photos as they are."""
    kits = getattr(snapshot.plan, "kits", None)
    if not kits or not any(key in kits for key in docs):
        return snapshot.plan, []
    from presssite.images import presskit
    from presssite.render import plaintext

    text = plaintext.ReleaseTexts(snapshot.settings, own_body, {})  # edited: parsed here
    changed = dict(kits)
    files = []
    for key, doc in docs.items():
        if key in kits:
            served = (snapshot.target / kits[key].kit.output).read_bytes()
            changed[key], data = presskit.with_text(kits[key], served, text(doc))
            files.append(OutputFile(path=changed[key].kit.output, data=data))
    return replace(snapshot.plan, kits=changed), files


def _changed(inputs: Inputs, outputs: Mapping[str, Any], readers: set[str]) -> list[str]:
    """The outputs (pages or feeds, in order) among ``readers`` whose recorded reads now
    have another value: what a build would make again."""
    return [
        name
        for name in outputs
        if name in readers and inputs.key(outputs[name][1]) != outputs[name][0]
    ]


def _edited_files(snapshot: Snapshot, paths: Iterable[Path]) -> list[str] | None:
    """The translation files among ``paths``; None when any path needs a build.

    A path that is not there and was not there at the build (an editor's temporary
    file, already renamed away) changes nothing and is skipped.
    """
    tree = snapshot.tree
    out = []
    for path in paths:
        file = os.path.abspath(path)
        folder, name = os.path.split(file)
        if file in tree.listing or os.path.isdir(file):
            return None  # a folder created, moved or deleted
        known = file in tree.files
        if not os.path.isfile(file):
            if known:
                return None  # deleted
            continue
        match = INDEX.match(name)
        if (
            not known
            or match is None
            or match.group(1) not in snapshot.settings.locales
            or name not in tree.bundles.get(folder, ())
        ):
            return None
        out.append(file)
    return out


def _holds(limits: tuple[datetime | None, datetime | None], now: datetime) -> bool:
    """The clock is still where the snapshot's output holds (no embargo lifted since)."""
    after, before = limits
    return (after is None or after < now) and (before is None or now < before)


def _alike(old: Translation, new: Translation) -> bool:
    """Whether the site takes the new version as it took the old one: placed alike by
    assembly, with the same photos (the image plan), linked files (published beside the
    page), ``updated:`` (the translation status) and front-matter keys (errors' lines)."""
    return site_.placed_alike(old, new) and _files(old) == _files(new)


def _files(doc: Translation) -> tuple[Any, ...]:
    return (
        tuple(replace(p, line=None) for p in doc.photos),
        frozenset(r.target for r in doc.references if r.kind == "file"),
        doc.updated,
        frozenset(doc.lines),
    )
