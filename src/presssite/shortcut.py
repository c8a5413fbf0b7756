"""The no-change rebuild: when nothing a build reads has changed, the build does nothing.

Before any stage runs, a fingerprint of every input is computed: the settings, the
build's flags, every file (name and bytes, read only when its size or modification time
is new: ``cache.hashes``) under ``content/``, ``templates/``, ``static/`` and
``locales/``, and the git ref that HEAD points to (translation status reads commit
times). presssite's own code and the installed libraries are the cache's salt. If the
fingerprint equals the one recorded by the last successful build into the same folder,
the build clock is in the window where that build's output stays valid (no embargo
lifts, no release expires, none enters or leaves a news sitemap: see ``now_limits``),
and the output folder still holds exactly the files that build published
(``cache.manifest.verified``: by their bytes when their times changed, as in a fresh
clone with its output restored), the output is already what the build would make, and
the last build's report (warnings included) is given again.

Anything else runs the full build, whose caches then skip the unchanged work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from presssite.cache.hashes import FileHashes, git_state, tree_fingerprint
from presssite.cache.manifest import complete, manifest_name, verified
from presssite.cache.store import BuildCache, digest
from presssite.content.walk import Tree, fingerprint, walk
from presssite.model import Bundle, Site
from presssite.report import BuildReport
from presssite.settings import Settings


@dataclass(frozen=True)
class _Record:
    fingerprint: str
    now: datetime  # the clock of the recorded build
    after: datetime | None  # the output holds for clocks strictly between these
    before: datetime | None
    report: BuildReport


class Shortcut:
    """The fingerprint of one build's inputs, checked against the last build's."""

    def __init__(
        self,
        settings: Settings,
        store: BuildCache | None,
        *,
        target: Path,
        flags: tuple[Any, ...],
        now: datetime,
        hashes: FileHashes,
    ) -> None:
        self.store = store
        self.now = now
        self.target = target.resolve()
        self.name = f"last-{digest(str(self.target))}"
        self.manifest = manifest_name(self.target)
        self.fingerprint = ""
        # The walk of content/, handed on to the content stage (one walk per build).
        self.tree: Tree | None = None
        if store is not None:
            if settings.content_dir.is_dir():
                self.tree = walk(settings.content_dir)
            folders = (settings.templates_dir, settings.static_dir, settings.locales_dir)
            self.fingerprint = digest(
                repr(settings),
                flags,
                fingerprint(self.tree, hashes) if self.tree is not None else "",
                tree_fingerprint(folders, hashes),
                git_state(settings.root),
            )

    def unchanged(self) -> BuildReport | None:
        """The last build's report when this build would publish the same output."""
        if self.store is None:
            return None
        record = self.store.load(self.name)
        if not isinstance(record, _Record) or record.fingerprint != self.fingerprint:
            return None
        now = self.now
        if now != record.now and not (
            (record.after is None or record.after < now)
            and (record.before is None or now < record.before)
        ):
            return None
        manifest = self.store.load(self.manifest)
        if not isinstance(manifest, dict):
            return None
        found = verified(self.target, manifest)
        if found is None or not complete(found):
            return None
        if found != manifest:  # restored elsewhere, the same bytes: the new times hold
            self.store.save(self.manifest, found)
        return record.report

    def record(self, report: BuildReport, limits: tuple[datetime | None, datetime | None]) -> None:
        """Remember a successful build, for the next one to compare with."""
        if self.store is None:
            return
        after, before = limits
        if after is not None and before is not None and after >= before:
            self.store.forget(self.name)  # valid at this very instant only: not worth it
            return
        self.store.save(self.name, _Record(self.fingerprint, self.now, after, before, report))


def now_limits(
    site: Site, bundles: Iterable[Bundle], news_window: timedelta
) -> tuple[datetime | None, datetime | None]:
    """The instants around ``site.now`` between which this build's output stays the same.

    Embargoes and expiry change what is published; the news sitemaps list the releases
    of the last two days; an empty feed is dated by the clock. Later than the returned
    end (or before the start), a build must run in full even if no file changed.
    """
    now = site.now
    edges: list[datetime] = []
    for bundle in bundles:
        for doc in bundle.translations.values():
            edges.extend(t for t in (doc.embargo, doc.expires) if t is not None)
            edges.extend((doc.date, doc.date + news_window))
    if not any(site.releases.values()):
        return now, now  # an empty feed carries the build clock: nothing to reuse
    after = [t for t in edges if t > now]
    before = [t for t in edges if t <= now]
    return (max(before) if before else None), (min(after) if after else None)


def unchanged_report(
    previous: BuildReport, timings: dict[str, float], elapsed: float
) -> BuildReport:
    """The last build's report, as the report of a build that redid nothing."""
    parsed = previous.documents_parsed + previous.documents_reused
    return replace(
        previous,
        documents_parsed=0,
        documents_reused=parsed,
        images_processed=0,
        images_cached=previous.photos,
        kit_texts_made=0,
        kit_texts_kept=previous.kit_texts_made + previous.kit_texts_kept,
        pages_rendered=0,
        pages_reused=previous.pages_rendered + previous.pages_reused,
        feeds_made=0,
        feeds_reused=previous.feeds_made + previous.feeds_reused,
        files_changed=0,
        files_removed=0,
        publish_mode="unchanged",
        unchanged=True,
        timings=timings,
        elapsed=elapsed,
    )
