"""Photos: plan every variant before any pixel, then make them in bulk, cached by content.

``plan()`` reads only headers (one per source file, however many pages use it) and decides
each page's variants: URLs, sizes, formats. The render stage needs nothing more.
``process()`` then makes the variants in an executor, decoding each source once for all
its widths and formats, and keeps them in ``<cache_dir>/images/`` under names that hash the
source bytes and every processing parameter, so an unchanged photo is never decoded again.
An index of path -> (size, mtime_ns, sha256, header facts) spares even the hashing and the
header reads of unchanged photos.

Besides the srcset variants, the first gallery photos of each page get centred 16:9, 4:3
and 1:1 crops for the article's structured data (``ImagePlan.crops_for_page``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from concurrent.futures import Executor
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from presssite.errors import ImageError, PresssiteError, raise_all
from presssite.images.geometry import (
    closest,
    crop_name,
    crop_rect,
    scaled_size,
    target_widths,
    unique_stems,
    variant_name,
)
from presssite.images.index import cache_folder, index_key, load_index, save_index
from presssite.images.index import prune as prune_cache
from presssite.images.planned import Crop, ImagePlan, ImageResult, SourceInfo, Uncredited
from presssite.images.pool import run_all
from presssite.images.reading import PhotoProblem, Probe, probe, read_embedded_metadata
from presssite.images.worker import CACHE_VERSION, Job, Spec, cache_name
from presssite.model import OutputFile, Photo, PhotoImage, Site, Translation, Variant
from presssite.settings import Settings

log = logging.getLogger(__name__)

__all__ = [
    "CACHE_VERSION",
    "Crop",
    "ImagePlan",
    "ImageResult",
    "SourceInfo",
    "Uncredited",
    "cache_folder",
    "plan",
    "process",
    "read_embedded_metadata",
]

SOCIAL_WIDTH = 1200  # Open Graph's recommended width
# Google asks news articles for images at these aspect ratios: the first CROP_PHOTOS gallery
# photos of a page get one centred crop at each, cut from the photo's largest variant without
# resampling (1600x900, 1422x1066, 1066x1066 for a 3:2 photo at 1600 px), so a crop costs
# only its encoding.
CROP_RATIOS: tuple[tuple[int, int], ...] = ((16, 9), (4, 3), (1, 1))
CROP_PHOTOS = 3


# --------------------------------------------------------------------------- plan


def plan(site: Site, settings: Settings, *, raise_errors: bool = True) -> ImagePlan:
    """Decide every page's photo variants from headers alone.

    Unreadable, corrupt, non-image and oversized files are ``ImageError``s naming the
    Markdown file, the line and the photo; all are raised together (or, with
    ``raise_errors=False``, returned in ``ImagePlan.errors`` and left out of the pages).
    """
    opts = settings.images
    index = load_index(cache_folder(settings))
    sources: dict[Path, SourceInfo] = {}
    failed: dict[Path, PresssiteError] = {}
    pages: dict[tuple[str, str], Mapping[str, PhotoImage]] = {}
    crops: dict[tuple[str, str], tuple[Crop, ...]] = {}
    uncredited: list[Uncredited] = []
    fallback_fmt = "jpeg" if "jpeg" in opts.formats else opts.formats[-1]

    for doc in site.translations():
        if not doc.photos:
            continue
        stems = unique_stems(tuple(p.src for p in doc.photos))
        images: dict[str, PhotoImage] = {}
        for photo in doc.photos:
            if photo.path not in sources and photo.path not in failed:
                try:
                    sources[photo.path] = _source_info(photo, doc, settings, index)
                except PhotoProblem as exc:
                    failed[photo.path] = _error(doc, photo, str(exc))
            info = sources.get(photo.path)
            if info is None:
                continue
            filled = dataclasses.replace(
                photo,
                caption=photo.caption or info.caption,
                credit=photo.credit or info.credit,
            )
            if not filled.caption and not filled.credit:
                uncredited.append(Uncredited(doc, filled))
            images[photo.src] = _photo_image(
                filled, info, doc.url, stems[photo.src], settings, fallback_fmt
            )
        pages[(doc.bundle, doc.locale)] = MappingProxyType(images)
        leads = [images[p.src] for p in doc.gallery if p.src in images][:CROP_PHOTOS]
        crops[(doc.bundle, doc.locale)] = tuple(
            _crop(pi, doc.url, stems[pi.photo.src], settings, ratio)
            for pi in leads
            for ratio in CROP_RATIOS
        )

    errors = tuple(failed.values())
    if raise_errors:
        raise_all(errors)
    return ImagePlan(
        pages=MappingProxyType(pages),
        sources=MappingProxyType(sources),
        quality=opts.quality,
        crops=MappingProxyType(crops),
        errors=errors,
        uncredited=tuple(uncredited),
    )


def _source_info(
    photo: Photo, doc: Translation, settings: Settings, index: Mapping[str, Any]
) -> SourceInfo:
    """Header facts of a source, from the index when size and mtime are unchanged."""
    try:
        st = photo.path.stat()
    except FileNotFoundError:
        raise PhotoProblem("file not found") from None
    except OSError as exc:
        raise PhotoProblem(f"cannot read: {exc.strerror or exc}") from None
    entry = index.get(index_key(photo.path, settings))
    if (
        isinstance(entry, dict)
        and entry.get("size") == st.st_size
        and entry.get("mtime_ns") == st.st_mtime_ns
        and entry.get("width", 0) * entry.get("height", 0) <= settings.images.max_pixels
    ):
        try:
            facts = Probe(
                int(entry["width"]),
                int(entry["height"]),
                int(entry["orientation"]),
                str(entry["caption"]),
                str(entry["credit"]),
            )
            sha = str(entry.get("sha256", ""))
        except (KeyError, TypeError, ValueError):
            facts, sha = probe(photo.path, max_pixels=settings.images.max_pixels), ""
    else:
        facts, sha = probe(photo.path, max_pixels=settings.images.max_pixels), ""
    return SourceInfo(
        path=photo.path,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        width=facts.width,
        height=facts.height,
        orientation=facts.orientation,
        caption=facts.caption,
        credit=facts.credit,
        doc=doc.path,
        photo=photo,
        sha256=sha,
    )


def _photo_image(
    photo: Photo, info: SourceInfo, page_url: str, stem: str, settings: Settings, fallback: str
) -> PhotoImage:
    opts = settings.images
    variants = []
    for fmt in opts.formats:
        for width in target_widths(info.width, opts.widths):
            w, h = scaled_size(info.width, info.height, width)
            url = page_url + variant_name(stem, w, fmt)
            variants.append(Variant(*_url_and_output(url, settings), w, h, fmt))
    in_fallback = tuple(v for v in variants if v.format == fallback)
    large = max(in_fallback, key=lambda v: v.width)
    social_w = closest(tuple(v.width for v in in_fallback), SOCIAL_WIDTH)
    social = next(v for v in in_fallback if v.width == social_w)
    return PhotoImage(
        photo=photo,
        width=large.width,
        height=large.height,
        variants=tuple(variants),
        fallback=large,
        large=large,
        social=social,
    )


def _crop(
    image: PhotoImage,
    page_url: str,
    stem: str,
    settings: Settings,
    ratio: tuple[int, int],
) -> Crop:
    left, top, right, bottom = crop_rect(image.width, image.height, ratio)
    w, h = right - left, bottom - top
    fmt = image.fallback.format
    url = page_url + crop_name(stem, ratio, fmt)
    return Crop(image.photo, ratio, Variant(*_url_and_output(url, settings), w, h, fmt))


def _url_and_output(url: str, settings: Settings) -> tuple[str, str]:
    """(percent-encoded URL, output path): a space or comma would break srcset."""
    base = settings.base_path
    output = url[len(base) :] if url.startswith(base) else url.lstrip("/")
    return quote(url, safe="/-._~"), output


def _error(doc: Translation, photo: Photo, reason: str) -> ImageError:
    return ImageError(
        f"photo {photo.src!r}: {reason}",
        path=doc.path,
        line=photo.line,
        hint=f"replace or fix {photo.path}, or remove the photo from the page",
    )


# --------------------------------------------------------------------------- process


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
    known: dict[Path, str] = {}  # source -> sha256 of the bytes whose variants are cached
    todo: list[Job] = []
    for path, wanted in specs.items():
        info = plan.sources[path]
        sha = info.sha256 if _unchanged(info) else ""
        if sha and all((root / cache_name(sha, s, plan.quality)).exists() for s in wanted):
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

    save_index(root, _index_entries(plan, known, settings))
    errors.sort(key=lambda e: (str(e.path), e.line or 0))
    raise_all(errors)

    files = []
    referenced = set()
    for photo, spec, variant in _planned(plan):
        name = cache_name(known[photo.path], spec, plan.quality)
        referenced.add(name)
        files.append(OutputFile(path=variant.output, source=root / name))
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


def _unchanged(info: SourceInfo) -> bool:
    try:
        st = info.path.stat()
    except OSError:
        return False
    return st.st_size == info.size and st.st_mtime_ns == info.mtime_ns


def _index_entries(
    plan: ImagePlan, known: Mapping[Path, str], settings: Settings
) -> dict[str, dict[str, Any]]:
    """Index entries of the sources whose variants are all cached."""
    files = {}
    for path, sha in known.items():
        info = plan.sources[path]
        if not _unchanged(info):
            continue  # changed again since planning: let the next build look afresh
        files[index_key(path, settings)] = {
            "size": info.size,
            "mtime_ns": info.mtime_ns,
            "sha256": sha,
            "width": info.width,
            "height": info.height,
            "orientation": info.orientation,
            "caption": info.caption,
            "credit": info.credit,
        }
    return files
