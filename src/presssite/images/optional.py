"""The image stage when a site may have no photo: Pillow is imported only when needed.

A build whose pages show no photo, and that has no image cache to prune, plans and
processes nothing (``NoImages``), so it never imports the image stage or Pillow.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from presssite.model import OutputFile, Site, Translation
from presssite.settings import Settings

if TYPE_CHECKING:
    from presssite.images.planned import Facts, Known
    from presssite.images.presskit import ReleaseText


@dataclass(frozen=True)
class NoImages:
    """The plan, and the result, of a site without photos."""

    files: tuple[OutputFile, ...] = ()
    processed: int = 0
    cached: int = 0
    pages: dict[Any, Any] = field(default_factory=dict)
    crops: dict[Any, Any] = field(default_factory=dict)
    uncredited: tuple[Any, ...] = ()
    kits: dict[Any, Any] = field(default_factory=dict)
    kit_texts_made: int = 0

    def for_page(self, doc: Any) -> dict[str, Any]:
        return {}

    def kit_for_page(self, doc: Any) -> None:
        return None

    def crops_for_page(self, doc: Any) -> tuple[Any, ...]:
        return ()


def plan(
    site: Site,
    settings: Settings,
    *,
    release_text: ReleaseText | None = None,
    public: Callable[[Translation], bool] | None = None,
    executor: Executor | None = None,
    jobs: int | None = None,
    known: Known | None = None,
    facts: Facts | None = None,
) -> Any:
    """The image plan (``images.stage.plan``: variants, downloads and the press kits of
    the releases ``public`` accepts, with their ``release_text``), or ``NoImages`` when
    no page has a photo and no image cache exists (nothing to make or prune)."""
    if not any(doc.photos for doc in site.translations()):
        if not (settings.cache_dir / "images").exists():
            return NoImages()
    from presssite.images import stage

    return stage.plan(
        site,
        settings,
        release_text=release_text,
        public=public,
        executor=executor,
        jobs=jobs,
        known=known,
        facts=facts,
    )


def process(
    plan: Any, settings: Settings, executor: Executor | None, jobs: int | None, progress: bool
) -> Any:
    """The plan's variants made (``images.stage.process``); nothing for ``NoImages``."""
    if isinstance(plan, NoImages):
        return plan
    from presssite.images import stage

    return stage.process(plan, settings, executor=executor, jobs=jobs, progress=progress)


def planned_outputs(plan: Any) -> set[str]:
    """Output paths of every image variant (and structured-data crop) the plan will make."""
    out = {v.output for page in plan.pages.values() for img in page.values() for v in img.variants}
    for crops in plan.crops.values():
        out.update(crop.variant.output for crop in crops)
    for page in plan.pages.values():
        out.update(img.download.output for img in page.values() if img.download is not None)
    for kit in getattr(plan, "kits", {}).values():
        out.add(kit.kit.output)
    return out
