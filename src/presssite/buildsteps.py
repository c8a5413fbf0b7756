"""The build's steps around its stages: what ``build`` asks of content, translations,
images and the output besides pages and feeds.

Each step imports its stage when it runs, so that a build that needs no photos never
imports Pillow and a no-change build imports no stage at all.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presssite.cache.store import BuildCache
from presssite.errors import raise_all
from presssite.leftovers import unwanted_path
from presssite.model import Bundle, OutputFile, Site
from presssite.settings import Settings
from presssite.shortcut import git_state

if TYPE_CHECKING:
    from presssite.site import translations


# The modules of the stages after the parse (Atom's writer among them).
_LATER_STAGES = (
    "feedgen.feed",
    "presssite.feeds.atom",
    "presssite.output.publish",
    "presssite.output.refcheck",
    "presssite.output.staging",
    "presssite.render.dependencies",
    "presssite.render.pages",
    "presssite.render.social",
    "presssite.site.translations",
)


def import_later_stages() -> None:
    """Import the modules of the stages after the parse. Called while workers parse, the
    imports cost them a fraction of what they cost between the parse and the render,
    where nothing else runs."""
    for name in _LATER_STAGES:
        importlib.import_module(name)


def plan_images(
    site: Site,
    settings: Settings,
    bodies: Any = None,
    executor: Executor | None = None,
    jobs: int | None = None,
) -> Any:
    """The image plan; an empty one when no page has a photo and no image cache exists
    (the image stage and its Pillow import are skipped: nothing to make or prune).

    With ``bodies`` (``docstore.Bodies``) it plans the press kits too: each public
    release's text goes into its kits (``site.assemble.is_public`` decides, so a preview
    with drafts still puts no draft or embargoed release in a kit).
    """
    if not any(doc.photos for doc in site.translations()):
        if not (settings.cache_dir / "images").exists():
            return NoImages()
    from presssite.images import stage as images
    from presssite.render import plaintext
    from presssite.site.assemble import is_public

    body = bodies.get if bodies is not None else (lambda doc: doc.body_html)
    return images.plan(
        site,
        settings,
        release_text=plaintext.release_texts(settings, body),
        public=lambda doc: is_public(doc, site.now),
        executor=executor,
        jobs=jobs,
    )


@dataclass(frozen=True)
class NoImages:
    """The plan, and the result, of a site without photos."""

    files: tuple[OutputFile, ...] = ()
    processed: int = 0
    cached: int = 0
    pages: dict[Any, Any] = field(default_factory=dict)
    crops: dict[Any, Any] = field(default_factory=dict)
    uncredited: tuple[Any, ...] = ()

    def for_page(self, doc: Any) -> dict[str, Any]:
        return {}

    def kit_for_page(self, doc: Any) -> None:
        return None

    def crops_for_page(self, doc: Any) -> tuple[Any, ...]:
        return ()


def process_images(
    plan: Any, settings: Settings, executor: Executor | None, jobs: int | None, progress: bool
) -> Any:
    if isinstance(plan, NoImages):
        return plan
    from presssite.images import stage as images

    return images.process(plan, settings, executor=executor, jobs=jobs, progress=progress)


def unfinished(site: Site, bodies: Any) -> list[str]:
    """Published documents that still hold a skeleton's placeholder, for the build to warn
    about (``content.skeleton``): "file:line: what"."""
    from presssite.content import skeleton
    from presssite.site.assemble import is_public

    out: list[str] = []
    for doc in site.translations():
        if is_public(doc, site.now):
            body = bodies.get(doc) if bodies is not None else doc.body_html
            out.extend(str(problem) for problem in skeleton.unfinished(doc, body))
    return out


def load_bundles(settings: Settings) -> tuple[Bundle, ...]:
    """Every bundle of the site as written, drafts and embargoed translations included.

    For commands that look at the content rather than the public site (embargoes,
    translation status); content errors are raised as in a build.
    """
    from presssite.content import load as content

    loaded = content.load(settings)
    raise_all(loaded.errors)
    return loaded.bundles


def translation_status(
    settings: Settings,
    bundles: Iterable[Bundle],
    history: dict[str, Any] | None = None,
    store: BuildCache | None = None,
) -> translations.Status:
    """The translation status of ``bundles``; git is read only when it can matter.

    The commit history (one ``git log``) is kept by HEAD in ``history`` (a long-running
    caller's) and in the build cache, so a rebuild without a new commit does not read it
    again.
    """
    from presssite.site import translations

    bundles = list(bundles)
    commits = None
    if translations.needs_history(bundles) and _maybe_git(settings):
        cache = history
        if cache is not None and not cache and store is not None:
            saved = store.load("history")
            if isinstance(saved, dict):
                cache.update(saved)
        before = dict(cache) if cache is not None else None
        commits = translations.commit_history(settings.root, settings.content_dir, cache=cache)
        if store is not None and cache is not None and cache != before:
            store.save("history", dict(cache))
    return translations.status(settings, bundles, history=commits)


def _maybe_git(settings: Settings) -> bool:
    """False only when no folder above the site has a ``.git``: git would find no history
    (two processes spared on every build of a site outside git)."""
    return bool(os.environ.get("GIT_DIR")) or bool(git_state(settings.root))


def static_files(settings: Settings) -> list[OutputFile]:
    """The theme's static files, then the site's over them, published under ``static/``;
    and the stylesheet of ``[theme] brand_color`` (``render.theme.brand_css``).

    Hidden files and editors' leftovers (``leftovers.unwanted``) are not published."""
    from presssite import THEME_DIR
    from presssite.render import theme

    found: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", settings.static_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if path.is_file() and not unwanted_path(rel):
                found[rel.as_posix()] = path
    out = [OutputFile(path=f"static/{rel}", source=path) for rel, path in sorted(found.items())]
    brand = theme.brand_css(settings)
    if brand is not None:
        out.append(OutputFile(path=f"static/{theme.BRAND_CSS}", data=brand))
    return out


def planned_images(plan: Any) -> set[str]:
    """Output paths of every image variant (and structured-data crop) the plan will make."""
    out = {v.output for page in plan.pages.values() for img in page.values() for v in img.variants}
    for crops in plan.crops.values():
        out.update(crop.variant.output for crop in crops)
    for page in plan.pages.values():
        out.update(img.download.output for img in page.values() if img.download is not None)
    for kit in getattr(plan, "kits", {}).values():
        out.add(kit.kit.output)
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
