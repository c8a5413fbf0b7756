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
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

from presssite.errors import ImageError, PresssiteError, raise_all
from presssite.images import fullsize, presskit
from presssite.images import index as cacheindex
from presssite.images.downloads import Words, download_name, download_size, rights
from presssite.images.geometry import (
    closest,
    crop_name,
    crop_rect,
    scaled_size,
    target_widths,
    unique_stems,
    variant_name,
)
from presssite.images.index import load_index, save_index
from presssite.images.index import prune as prune_cache
from presssite.images.planned import Crop, ImagePlan, ImageResult, Known, SourceInfo, Uncredited
from presssite.images.pool import run_all
from presssite.images.presskit import KitPlan
from presssite.images.reading import PhotoProblem, read_embedded_metadata
from presssite.images.worker import CACHE_VERSION, Job, Spec, cache_folder, cache_name
from presssite.model import Download, OutputFile, Photo, PhotoImage, Site, Translation, Variant
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


def plan(
    site: Site,
    settings: Settings,
    *,
    raise_errors: bool = True,
    release_text: Callable[[Translation], str] | None = None,
    public: Callable[[Translation], bool] | None = None,
    executor: Executor | None = None,
    jobs: int | None = None,
    known: Known | None = None,
) -> ImagePlan:
    """Decide every page's photo variants, downloads and press kits from headers alone
    (a photo that cannot keep its own JPEG data gets its download master here, all such
    photos at once in ``executor`` or a pool of ``jobs``: pages show a download's size).

    Unreadable, corrupt, non-image and oversized files are ``ImageError``s naming the
    Markdown file, the line and the photo; all are raised together (or, with
    ``raise_errors=False``, returned in ``ImagePlan.errors`` and left out of the pages).
    Press kits are planned only with ``release_text`` (a release as plain text), for the
    releases ``public`` accepts: no draft or embargoed material is in a kit. ``known``
    gives a photo's hash when the build has it unread (``index.source_info``).
    """
    opts = settings.images
    index = load_index(cache_folder(settings))

    def publisher(doc: Translation) -> str:
        return settings.localized(settings.publisher.name, doc.locale)

    sources: dict[Path, SourceInfo] = {}
    failed: dict[Path, PresssiteError] = {}
    pages: dict[tuple[str, str], Mapping[str, PhotoImage]] = {}
    crops: dict[tuple[str, str], tuple[Crop, ...]] = {}
    uncredited: list[Uncredited] = []
    words: dict[tuple[str, str, str], Words] = {}
    kits: dict[tuple[str, str], KitPlan] = {}
    fallback_fmt = "jpeg" if "jpeg" in opts.formats else opts.formats[-1]

    docs = [doc for doc in site.translations() if doc.photos]
    for doc in docs:
        for photo in doc.photos:
            if photo.path not in sources and photo.path not in failed:
                try:
                    sources[photo.path] = cacheindex.source_info(photo, doc, settings, index, known)
                except PhotoProblem as exc:
                    failed[photo.path] = _error(doc, photo, str(exc))
    fullsize.complete(sources, failed, settings, executor=executor, jobs=jobs)

    for doc in docs:
        stems = unique_stems(tuple(p.src for p in doc.photos))
        images: dict[str, PhotoImage] = {}
        for photo in doc.photos:
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
            said = Words(filled.caption, filled.credit, rights(filled.credit, publisher(doc)))
            words[(doc.bundle, doc.locale, photo.src)] = said
            images[photo.src] = _photo_image(
                filled, info, doc.url, stems[photo.src], settings, fallback_fmt, said
            )
        pages[(doc.bundle, doc.locale)] = MappingProxyType(images)
        if release_text is not None and not doc.is_page and (public is None or public(doc)):
            kit = _kit(doc, images, stems, settings, release_text, words)
            if kit is not None:
                kits[(doc.bundle, doc.locale)] = kit
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
        words=MappingProxyType(words),
        kits=MappingProxyType(kits),
    )


def _photo_image(
    photo: Photo,
    info: SourceInfo,
    page_url: str,
    stem: str,
    settings: Settings,
    fallback: str,
    words: Words,
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
    download = None
    if info.download is not None:
        url, output = _url_and_output(page_url + f"{stem}-full.jpg", settings)
        dl = info.download
        download = Download(url, output, dl.width, dl.height, download_size(dl, words))
    return PhotoImage(
        photo=photo,
        width=large.width,
        height=large.height,
        variants=tuple(variants),
        fallback=large,
        large=large,
        social=social,
        download=download,
    )


def _kit(
    doc: Translation,
    images: Mapping[str, PhotoImage],
    stems: Mapping[str, str],
    settings: Settings,
    release_text: Callable[[Translation], str],
    words: Mapping[tuple[str, str, str], Words],
) -> KitPlan | None:
    """The press kit of a release in its locale; None when no gallery photo has a download."""
    entries = []
    for p in doc.gallery:
        image = images.get(p.src)
        if image is not None and image.download is not None:
            name = stems[p.src].replace("/", "-") + ".jpg"
            entries.append((name, p.path, words[(doc.bundle, doc.locale, p.src)], image))
    if not entries:
        return None
    url, output = _url_and_output(doc.url + presskit.file_name(doc.slug, doc.locale), settings)
    folder = f"{doc.slug}-{doc.locale}/"
    return presskit.plan_kit(
        url=url, output=output, folder=folder, release_text=release_text(doc), photos=entries
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
    said = _words_by_source(plan)
    known: dict[Path, str] = {}  # source -> sha256 of the bytes whose variants are cached
    todo: list[Job] = []
    for path, wanted in specs.items():
        info = plan.sources[path]
        sha = info.sha256 if cacheindex.unchanged(info) else ""
        if (
            sha
            and all((root / cache_name(sha, s, plan.quality)).exists() for s in wanted)
            and all((root / name).exists() for name in _downloads(sha, info, said.get(path, ())))
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
