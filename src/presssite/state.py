"""What a build leaves for the next one in a long-running process (``presssite serve``).

``BuildState`` carries caches from one build to the next; ``Snapshot`` is what a
successful build leaves for ``serve.edits``, which applies a document's edit to it
without a whole build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presssite.cache.manifest import Manifest
from presssite.model import Site
from presssite.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from presssite.content import load as content
    from presssite.content.store import Bodies
    from presssite.content.walk import Tree
    from presssite.model import Translation


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
    search_kept: Any = None  # the parts of the index made last (``search.stage.Part``)

    def forget_templates(self) -> None:
        self.env = None


def _content() -> Any:
    from presssite.content import load as content

    return content
