"""Photos: plan every variant before any pixel, then make them in bulk, cached by content.

``plan()`` reads only headers (one per source file, however many pages use it) and decides
each page's variants: URLs, sizes, formats. The render stage needs nothing more.
``process()`` (``images.making``) then makes the variants in an executor, decoding each
source once for all its widths and formats, and keeps them in ``<cache_dir>/images/`` under
names that hash the source bytes and every processing parameter, so an unchanged photo is
never decoded again.
An index of path -> (size, mtime_ns, sha256, header facts) spares even the hashing and the
header reads of unchanged photos.

Besides the srcset variants, the first gallery photos of each page get centred 16:9, 4:3
and 1:1 crops for the article's structured data (``ImagePlan.crops_for_page``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from pathlib import Path
from types import MappingProxyType
from urllib.parse import quote

from presssite.errors import ImageError, PresssiteError, raise_all
from presssite.images import fullsize, presskit
from presssite.images import index as cacheindex
from presssite.images.downloads import Words, download_size, metadata_key, metadata_size, rights
from presssite.images.geometry import (
    closest,
    crop_name,
    crop_rect,
    scaled_size,
    target_widths,
    unique_stems,
    variant_name,
)
from presssite.images.index import load_index
from presssite.images.making import process
from presssite.images.planned import (
    Crop,
    Facts,
    ImagePlan,
    ImageResult,
    Known,
    SourceInfo,
    Uncredited,
    Unkept,
)
from presssite.images.presskit import KitPlan
from presssite.images.reading import PhotoProblem, read_embedded_metadata
from presssite.images.worker import CACHE_VERSION, cache_folder
from presssite.model import Download, Photo, PhotoImage, Site, Translation, Variant
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


def plan(
    site: Site,
    settings: Settings,
    *,
    raise_errors: bool = True,
    release_text: presskit.ReleaseText | None = None,
    public: Callable[[Translation], bool] | None = None,
    executor: Executor | None = None,
    jobs: int | None = None,
    known: Known | None = None,
    facts: Facts | None = None,
) -> ImagePlan:
    """Decide every page's photo variants, downloads and press kits from headers alone
    (a photo that cannot keep its own JPEG data gets its download master here, all such
    photos at once in ``executor`` or a pool of ``jobs``: pages show a download's size).

    Unreadable, corrupt, non-image and oversized files are ``ImageError``s naming the
    Markdown file, the line and the photo; all are raised together (or, with
    ``raise_errors=False``, returned in ``ImagePlan.errors`` and left out of the pages).
    Press kits are planned only with ``release_text`` (a release as plain text), for the
    releases ``public`` accepts: no draft or embargoed material is in a kit. ``known``
    gives a photo's hash when the build has it unread (``index.source_info``); ``facts``
    keeps the sizes of the kits' texts and of the downloads' metadata between builds.
    """
    opts = settings.images
    facts = facts if facts is not None else Unkept()
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
    texts_made = 0  # kits whose release.txt was worked out: the others' facts were kept

    def kept(key: str, make: Callable[[], tuple[int, str]]) -> tuple[int, str]:
        def counted() -> tuple[int, str]:
            nonlocal texts_made
            texts_made += 1
            return make()

        return facts.get(key, counted)

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
                filled, info, doc.url, stems[photo.src], settings, fallback_fmt, said, facts
            )
        pages[(doc.bundle, doc.locale)] = MappingProxyType(images)
        if release_text is not None and not doc.is_page and (public is None or public(doc)):
            kit = _kit(doc, images, stems, settings, release_text, words, kept)
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
        kit_texts_made=texts_made,
    )


def _photo_image(
    photo: Photo,
    info: SourceInfo,
    page_url: str,
    stem: str,
    settings: Settings,
    fallback: str,
    words: Words,
    facts: Facts,
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
        size = download_size(dl, facts.get(metadata_key(words), lambda: metadata_size(words)))
        download = Download(url, output, dl.width, dl.height, size)
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
    release_text: presskit.ReleaseText,
    words: Mapping[tuple[str, str, str], Words],
    kept: Callable[[str, Callable[[], tuple[int, str]]], tuple[int, str]],
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
    release = presskit.release_entry(folder, doc, release_text, kept)
    return presskit.plan_kit(url=url, output=output, folder=folder, release=release, photos=entries)


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
