"""Photos made in bulk from the plan (``images.stage.plan``), cached by content.

``process`` makes every planned variant, download and press kit the image cache does not
hold yet, decoding each source once for all its widths and formats, in any
``concurrent.futures.Executor`` or a process pool; it then prunes the cache of what no
page uses any more. A cached file's name hashes every input of its bytes, so a file
that exists is never stale: an unchanged photo is only looked up.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from pathlib import Path

from presssite.errors import ImageError, PresssiteError, raise_all
from presssite.images import index as cacheindex
from presssite.images import presskit
from presssite.images.downloads import Words, download_name
from presssite.images.index import prune as prune_cache
from presssite.images.index import save_index
from presssite.images.planned import ImagePlan, ImageResult, SourceInfo
from presssite.images.pool import run_all
from presssite.images.worker import CACHE_VERSION, Job, Spec, cache_folder, cache_name
from presssite.model import OutputFile, Photo, Variant
from presssite.settings import Settings


def process(
    plan: ImagePlan,
    settings: Settings,
    *,
    executor: Executor | None = None,
    jobs: int | None = None,
    progress: bool = False,
    prune: bool = True,
) -> ImageResult:
    """Make every planned variant that is not cached yet; return the files to publish.

    Work goes to ``executor`` (any ``concurrent.futures.Executor``) or to a process pool
    of ``jobs`` workers (default: all cores). Photos that fail are raised together as
    ``ImageError``s after every other photo is done; the cache is only pruned after a
    fully successful run, and never of files a current page uses.
    """
    root = cache_folder(settings)
    specs = _specs_by_source(plan)
    said = _words_by_source(plan)
    known: dict[Path, str] = {}  # source -> sha256 of the bytes whose variants are cached
    todo: list[Job] = []
    folder = str(root)

    def in_cache(name: str) -> bool:
        return os.path.exists(f"{folder}/{name}")  # a Path per file cost more than the stat

    for path, wanted in specs.items():
        info = plan.sources[path]
        sha = info.sha256 if cacheindex.unchanged(info) else ""
        if (
            sha
            and all(in_cache(cache_name(sha, s, plan.quality)) for s in wanted)
            and all(in_cache(name) for name in _downloads(sha, info, said.get(path, ())))
        ):
            known[path] = sha
            continue
        todo.append(
            Job(
                path=str(path),
                width=info.width,
                height=info.height,
                orientation=info.orientation,
                largest=max((s.width, s.height) for s in wanted if s.crop is None),
                specs=tuple(wanted),
                quality=plan.quality,
                max_pixels=settings.images.max_pixels,
                cache_root=str(root),
                download=info.download,
                words=said.get(path, ()),
            )
        )
    cached = len(known)
    todo.sort(key=lambda j: -plan.sources[Path(j.path)].size)  # big first: even load

    outcomes = run_all(todo, executor=executor, jobs=jobs, progress=progress)
    errors: list[PresssiteError] = []
    processed = 0
    for outcome in outcomes:
        path = Path(outcome.path)
        processed += outcome.decoded
        if outcome.error:
            info = plan.sources[path]
            errors.append(
                ImageError(
                    f"photo {info.photo.src!r}: {outcome.error}",
                    path=info.doc,
                    line=info.photo.line,
                    hint=f"replace or fix {path}, or remove the photo from the page",
                )
            )
            continue
        if not outcome.decoded:
            cached += 1
        known[path] = outcome.sha256

    save_index(root, cacheindex.entries(plan, known, settings))
    errors.sort(key=lambda e: (str(e.path), e.line or 0))
    raise_all(errors)

    files = []
    referenced = set()
    for photo, spec, variant in _planned(plan):
        name = cache_name(known[photo.path], spec, plan.quality)
        referenced.add(name)
        files.append(OutputFile(path=variant.output, source=root / name))
    for (bundle, locale), page in plan.pages.items():
        for src, image in page.items():
            info = plan.sources[image.photo.path]
            if image.download is None or info.download is None:
                continue
            words = plan.words[(bundle, locale, src)]
            name = download_name(known[info.path], info.download, words, CACHE_VERSION)
            referenced.update((name, info.download.master) if info.download.master else (name,))
            files.append(OutputFile(path=image.download.output, source=root / name))
    for kit in plan.kits.values():
        names = {}
        for entry, path, words in kit.photos:
            facts = plan.sources[path].download
            if facts is not None:
                names[entry] = download_name(known[path], facts, words, CACHE_VERSION)
        name = presskit.make(kit, names, root, CACHE_VERSION)
        referenced.add(name)
        files.append(OutputFile(path=kit.kit.output, source=root / name))
    pruned = prune_cache(root, referenced) if prune else 0
    return ImageResult(tuple(files), processed=processed, cached=cached, pruned=pruned)


def _planned(plan: ImagePlan) -> Iterator[tuple[Photo, Spec, Variant]]:
    """Every published file of the plan with the spec its bytes are made from."""
    for page in plan.pages.values():
        for image in page.values():
            for v in image.variants:
                yield image.photo, Spec(v.width, v.height, v.format, image.photo.credit), v
    for crops in plan.crops.values():
        for crop in crops:
            v = crop.variant
            yield crop.photo, Spec(v.width, v.height, v.format, crop.photo.credit, crop.ratio), v


def _specs_by_source(plan: ImagePlan) -> dict[Path, list[Spec]]:
    """Each source's distinct variants over all pages (locales may differ in credit)."""
    out: dict[Path, dict[Spec, None]] = {}
    for photo, spec, _variant in _planned(plan):
        out.setdefault(photo.path, {})[spec] = None
    return {path: list(specs) for path, specs in out.items()}


def _words_by_source(plan: ImagePlan) -> dict[Path, tuple[Words, ...]]:
    """Each source's distinct download words over all pages (one per caption and credit)."""
    out: dict[Path, dict[Words, None]] = {}
    for (bundle, locale), page in plan.pages.items():
        for src, image in page.items():
            if image.download is not None:
                out.setdefault(image.photo.path, {})[plan.words[(bundle, locale, src)]] = None
    return {path: tuple(words) for path, words in out.items()}


def _downloads(sha: str, info: SourceInfo, words: tuple[Words, ...]) -> list[str]:
    if info.download is None:
        return []
    return [download_name(sha, info.download, w, CACHE_VERSION) for w in words]
