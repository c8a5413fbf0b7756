"""The dev server's quick rebuild: an edit of a document's words, applied in place.

Most saves during a preview change the text of one release: its body, title or
summary. Such an edit changes only the pages that show those words (the release's own
page, the home and tag list pages it is on) and the feeds that carry it; every URL,
list order, tag, photo and notice of the site stays what it was. A whole build would
still look at every document and every page to find that out, which on a large site
takes most of a second; ``apply_edits`` re-parses the edited files, checks that the
edit is of that kind, and re-renders just those pages and feeds from the ``Snapshot``
the last build left, writing them into the folder being served.

Anything else (a new, deleted or renamed file, a changed date, slug, tag, photo,
draft or embargo field, a static page, whose title is in every page's navigation, a
clock that crossed an embargo or expiry) makes ``apply_edits`` return None, and the
caller runs a build. The result is byte for byte what a build would publish, which
the tests check by building the same site afresh.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from presssite import urls
from presssite.build import Snapshot
from presssite.content import load as content
from presssite.content.store import Bodies, StoredDoc
from presssite.content.walk import INDEX
from presssite.errors import raise_all
from presssite.feeds import atom as feeds
from presssite.model import OutputFile, Photo, Site, Translation
from presssite.output import inplace as output
from presssite.output import refcheck
from presssite.render import pages as render
from presssite.render.pages import PageJob
from presssite.site import assemble as site_

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
    if edited is None or env is None or not _holds(snapshot.limits, now):
        return None
    settings, site = snapshot.settings, snapshot.site
    results = [content.parse_file(settings, snapshot.tree, path) for path in edited]
    raise_all(error for result in results for error in result.parsed.errors)
    docs: dict[tuple[str, str], Translation] = {}
    parsed = dict(snapshot.parsed)
    for result in results:
        new = result.full.translation if result.full is not None else None
        if new is None:
            return None
        where = (new.bundle, new.locale)
        old = snapshot.parsed.get(where)
        shown = site.bundles.get(new.bundle)
        published = shown.translations.get(new.locale) if shown is not None else None
        if old is None or published is None or new.is_page or _layout(old) != _layout(new):
            return None
        docs[where] = replace(new, slug=published.slug, url=published.url)
        parsed[where] = new
    site = site_.substitute(site, docs, now=now)
    bodies = None
    if snapshot.bodies is not None:  # the new versions carry their bodies
        bodies = Bodies(snapshot.bodies.packs)
        bodies.refs = {k: v for k, v in snapshot.bodies.refs.items() if k not in docs}
    try:
        pages = render.render_pages(
            site,
            snapshot.plan,
            env,
            _jobs(site, docs),
            bodies=bodies,
            preview=snapshot.preview,
            stale=snapshot.stale,
        )
        made = [
            f
            for job in feeds.plan(
                site, snapshot.plan, full=bodies.full if bodies else None, showing=docs
            )
            for f in job.make()
        ]
    finally:
        if bodies is not None:
            bodies.packs.close()
    rendered = [OutputFile(path=job.path, data=data) for job, data in pages]
    for problem in refcheck.check(site, rendered, snapshot.made):  # logged, as a build does
        log.warning("%s", problem.error(settings).format(relative_to=settings.root))
    files = rendered + made
    _, manifest = output.update(snapshot.target, files, snapshot.manifest)
    return Applied(
        snapshot=replace(snapshot, site=site, parsed=parsed, bodies=bodies, manifest=manifest),
        parsed=tuple(results),
        pages=len(pages),
        feeds=len(made),
    )


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


def _layout(doc: Translation) -> tuple[Any, ...]:
    """Everything of a translation that other pages, lists or files depend on.

    What is left out (body, title, summary, contact, source, ``extra``, line numbers,
    the file's hash) shows only on the pages ``_jobs`` re-renders and in the feeds that
    carry the document. Linked bundle files must stay the same: they are published.
    """
    return (
        doc.bundle,
        doc.section,
        doc.locale,
        doc.path,
        doc.date,
        doc.slug,
        doc.url,
        doc.tags,
        doc.draft,
        doc.embargo,
        doc.updated,
        doc.expires,
        tuple(_without_line(p) for p in doc.photos),
        frozenset(doc.lines),
        frozenset(r.target for r in doc.references if r.kind == "file"),
    )


def _without_line(photo: Photo) -> Photo:
    return replace(photo, line=None)


def _jobs(site: Site, docs: Iterable[tuple[str, str]]) -> list[PageJob]:
    """The pages showing the words of ``docs``: each one's page, and the home and tag
    list pages it is on (no page shows another translation's words)."""
    s = site.settings
    size = s.page_size
    jobs: dict[str, PageJob] = {}
    for bundle_id, loc in docs:
        doc = site.bundles[bundle_id].translations[loc]
        number = _position(site.releases.get(loc, ()), doc) // size + 1
        home = urls.output_path(s, urls.home(s, loc, number))
        jobs.setdefault(home, PageJob(home, "home", loc, (number,)))
        for tag in site.tags.get(loc, ()):
            if doc.tags and any(d is doc for d in tag.releases):
                number = _position(tag.releases, doc) // size + 1
                path = urls.output_path(s, urls.tag(s, loc, tag.slug, number))
                jobs.setdefault(path, PageJob(path, "tag", loc, (tag.slug, number)))
        own = urls.output_path(s, doc.url)
        jobs.setdefault(own, PageJob(own, "release", loc, (bundle_id,)))
    return list(jobs.values())


def _position(items: tuple[Translation, ...], doc: Translation) -> int:
    return next(i for i, item in enumerate(items) if item is doc)
