"""The photos of an import: what stands for each image of the text, then copied in.

One photo per image, in the order the images stand, from one of three places:
- a folder (``--photos DIR``): its files in name order (hidden files left out);
- the images' own URLs (``--fetch``): downloaded (``download``);
- an existing bundle (``--into``): the photos its other translations show, reused.

A count that does not match is an error listing both sides, raised before anything is
written. Every file copied or downloaded passes the image stage's own check
(``images.reading.check``: decompression bombs, corrupt and non-image files refused),
so the build never refuses what an import accepted.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image as PILImage

from presssite.errors import ContentError, ImageError, PresssiteError, UsageError, raise_all
from presssite.images.geometry import EXTENSIONS
from presssite.images.reading import PhotoProblem, check
from presssite.importer import download as download_
from presssite.importer.text import Image

PHOTOS_FOLDER = "photos"
_PARALLEL_DOWNLOADS = 4
_REPLACE = "use a photo file Pillow can open, within [images] max_pixels"
_UNREACHABLE = "check the URL, or download the photos and give them as --photos DIR"


def folder_files(folder: Path) -> list[Path]:
    """The photos of ``--photos DIR``: its files in name order, hidden ones left out."""
    if not folder.is_dir():
        raise UsageError(f"no such folder: {folder}", key="--photos")
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def image_urls(images: Sequence[Image], *, path: Path) -> list[str]:
    """The URL of every image, for ``--fetch``; an image without a web URL is an error."""
    errors: list[PresssiteError] = [
        ContentError(
            f"the image has no http or https URL to fetch: {image.src or '(empty)'}",
            path=path,
            line=image.line,
            key="image",
            hint="give the photos as a folder instead: --photos DIR (files in name order)",
        )
        for image in images
        if not download_.is_web_url(image.src)
    ]
    raise_all(errors)
    return [image.src for image in images]


def check_count(images: Sequence[Image], found: Sequence[str], where: str, *, path: Path) -> None:
    """One photo per image, or an error that lists the images and the photos found."""
    if len(images) == len(found):
        return
    listed = "\n".join(
        [
            f"    images ({len(images)}): "
            + (", ".join(f"line {i.line}" + (f" {i.src}" if i.src else "") for i in images) or "-"),
            f"    photos ({len(found)}): " + (", ".join(found) or "-"),
        ]
    )
    raise ContentError(
        f"{len(images)} image(s) in the text but {len(found)} photo(s) {where}:\n{listed}",
        path=path,
        key="photos",
        hint="give one photo per image, in the order the images stand in the text",
    )


def photo_name(index: int, count: int, extension: str) -> str:
    """The bundle-relative name of the ``index``-th photo (0-based): "photos/01.jpg"."""
    width = max(2, len(str(count)))
    return f"{PHOTOS_FOLDER}/{index + 1:0{width}d}{extension}"


def copy_in(
    images: Sequence[Image], files: Sequence[Path], bundle: Path, *, max_pixels: int, path: Path
) -> list[str]:
    """Copy each file into ``bundle/photos/`` once it passes the build's checks."""
    errors: list[PresssiteError] = []
    srcs: list[str] = []
    for index, (image, file) in enumerate(zip(images, files, strict=True)):
        try:
            fmt = check(file, max_pixels=max_pixels)
        except PhotoProblem as exc:
            errors.append(_photo_error(image, str(file), str(exc), path, _REPLACE))
            continue
        src = photo_name(index, len(files), file.suffix.lower() or _extension(fmt))
        (bundle / src).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, bundle / src)
        srcs.append(src)
    raise_all(errors)
    return srcs


def download_in(
    images: Sequence[Image],
    urls: Sequence[str],
    bundle: Path,
    *,
    max_pixels: int,
    path: Path,
    max_bytes: int = download_.MAX_BYTES,
    timeout: float = download_.TIMEOUT,
) -> list[str]:
    """Download each URL into ``bundle/photos/``, checked as the build checks photos."""
    folder = bundle / PHOTOS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)

    def fetch(index: int) -> str | PresssiteError:
        image, url = images[index], urls[index]
        part = folder / f".{index + 1}.part"
        try:
            part.write_bytes(download_.download(url, max_bytes=max_bytes, timeout=timeout))
            fmt = check(part, max_pixels=max_pixels)
        except download_.DownloadProblem as exc:
            part.unlink(missing_ok=True)
            return _photo_error(image, url, str(exc), path, _UNREACHABLE)
        except PhotoProblem as exc:
            part.unlink(missing_ok=True)
            return _photo_error(image, url, str(exc), path, _REPLACE)
        src = photo_name(index, len(urls), _extension(fmt))
        part.rename(bundle / src)
        return src

    with ThreadPoolExecutor(max_workers=_PARALLEL_DOWNLOADS) as pool:
        done = list(pool.map(fetch, range(len(urls))))
    raise_all(d for d in done if isinstance(d, PresssiteError))
    return [d for d in done if isinstance(d, str)]


def _extension(fmt: str) -> str:
    """The file extension for a Pillow format: the build's names first ("JPEG" -> ".jpg")."""
    known = EXTENSIONS.get(fmt.lower())
    if known:
        return f".{known}"
    for extension, name in PILImage.registered_extensions().items():
        if name == fmt:
            return extension
    return ".img"


def _photo_error(image: Image, origin: str, problem: str, path: Path, hint: str) -> ImageError:
    return ImageError(
        f"the photo for this image, {origin}: {problem}", path=path, line=image.line, hint=hint
    )
