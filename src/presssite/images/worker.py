"""The per-photo job behind ``images``: decode each photo once, write its variants.

Cache names and atomic writes: a variant's file name hashes every input of its bytes,
and a file is written under a temp name then renamed in, so a cache file that exists is
never stale and never half-written.

``run_job`` is a top-level function taking and returning plain frozen dataclasses, so any
``concurrent.futures.Executor`` can run it (a process pool, threads, dask.distributed)
with the same output bytes (``pool.run_all`` hands the jobs out). It never raises: a photo
Pillow cannot read comes back as an ``Outcome`` with an ``error`` text, so no traceback
crosses the executor boundary.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms

from presssite.atomic import write_atomic
from presssite.images.downloads import (
    DownloadFacts,
    Words,
    body,
    download,
    download_name,
    encode_master,
)
from presssite.images.geometry import EXTENSIONS, crop_rect, draft_request, oriented_size
from presssite.images.reading import PhotoProblem, decode_problem, open_image, too_large
from presssite.settings import Settings

# Bump when the processing changes what bytes a variant gets: every cache entry goes stale.
CACHE_VERSION = 1

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_ARTIST, _COPYRIGHT = 0x013B, 0x8298


# --------------------------------------------------------------------------- cache names


@dataclass(frozen=True)
class Spec:
    """One variant of a source photo: everything its bytes depend on besides the source."""

    width: int
    height: int
    format: str  # "jpeg", "webp", "avif", "png"
    credit: str  # written to EXIF Artist and Copyright; "" writes no EXIF at all
    crop: tuple[int, int] | None = None  # aspect ratio of a centred crop of the largest variant


def cache_folder(settings: Settings) -> Path:
    """The image cache: variants, download masters and copies, press kits, the index."""
    return settings.cache_dir / "images"


def cache_name(sha256: str, spec: Spec, quality: int) -> str:
    """Cache-relative file name of a variant: it hashes every input of the variant's bytes.

    Source bytes, size, format, quality, credit and ``CACHE_VERSION``: any change gives a
    new name, so a cache file that exists is never stale.
    """
    key = hashlib.sha256(
        "\0".join(
            (
                str(CACHE_VERSION),
                sha256,
                str(spec.width),
                str(spec.height),
                spec.format,
                str(quality),
                spec.credit,
                f"{spec.crop[0]}x{spec.crop[1]}" if spec.crop else "",
            )
        ).encode("utf-8")
    ).hexdigest()
    return f"{sha256[:2]}/{sha256[:16]}-{spec.width}-{key[:16]}.{EXTENSIONS[spec.format]}"


@dataclass(frozen=True)
class Job:
    """All one worker needs to make the missing variants of one source photo."""

    path: str
    width: int  # planned size, orientation applied (a changed file is refused)
    height: int
    orientation: int
    largest: tuple[int, int]  # size of the photo's largest variant: crops are cut from it
    specs: tuple[Spec, ...]
    quality: int
    max_pixels: int
    cache_root: str
    # the full-size download of each locale's words, made from one body (``downloads``)
    download: DownloadFacts | None = None
    words: tuple[Words, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a worker did with one ``Job``."""

    path: str
    sha256: str = ""  # of the source bytes it read
    decoded: bool = False  # false when every variant was already in the cache
    error: str = ""  # non-empty: the photo could not be processed, and why


# --------------------------------------------------------------------------- the job


def run_job(job: Job) -> Outcome:
    """Make the missing cache files of one photo; decode it at most once. Never raises."""
    try:
        data = Path(job.path).read_bytes()
    except OSError as exc:
        return Outcome(job.path, error=f"cannot read: {exc.strerror or exc}")
    sha = hashlib.sha256(data).hexdigest()
    root = Path(job.cache_root)
    missing = [s for s in job.specs if not (root / cache_name(sha, s, job.quality)).exists()]
    facts = job.download
    wanted = [(download_name(sha, facts, w, CACHE_VERSION), w) for w in job.words] if facts else []
    to_copy = [(name, w) for name, w in wanted if not (root / name).exists()]
    if not missing and not to_copy:
        return Outcome(job.path, sha256=sha)
    try:
        if to_copy:
            assert facts is not None
            shared = body(data) if not facts.master else (root / facts.master).read_bytes()
            for name, words in to_copy:
                write_atomic(root / name, download(shared, words))
        if not missing:
            return Outcome(job.path, sha256=sha)
        _make_variants(data, job, missing, sha)
    except OSError as exc:
        return Outcome(job.path, sha256=sha, error=f"cannot write its download: {exc}")
    except PhotoProblem as exc:
        return Outcome(job.path, sha256=sha, decoded=True, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
        return Outcome(job.path, sha256=sha, decoded=True, error=decode_problem(exc))
    return Outcome(job.path, sha256=sha, decoded=True)


def _make_variants(data: bytes, job: Job, missing: list[Spec], sha: str) -> None:
    """Decode, then resize in cascade from the largest size down, writing what is missing.

    The chain of sizes comes from all the job's specs, not just the missing ones, so a
    variant's pixels never depend on which others happened to be cached already.
    """
    crops = [s for s in missing if s.crop is not None]
    sizes = {(s.width, s.height) for s in job.specs if s.crop is None} | {job.largest}
    smallest_needed = min(
        [s.width for s in missing if s.crop is None] + ([job.largest[0]] if crops else [])
    )
    current = _decode(data, job, max(w for w, _h in sizes))
    for size in sorted(sizes, reverse=True):
        if size[0] < smallest_needed:
            break
        if current.size != size:
            # cascade: each width from the next larger one, cheaper than from the master
            current = current.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        _write(current, [s for s in missing if s.crop is None and s.width == size[0]], job, sha)
        if size == job.largest:
            for spec in crops:
                assert spec.crop is not None
                _write(current.crop(crop_rect(*size, spec.crop)), [spec], job, sha)


def _write(image: Image.Image, specs: list[Spec], job: Job, sha: str) -> None:
    root = Path(job.cache_root)
    flat: Image.Image | None = None
    for spec in specs:
        out = image
        if spec.format == "jpeg" and image.mode == "RGBA":
            flat = flat or _on_white(image)
            out = flat
        buf = io.BytesIO()
        _encode(out, buf, spec, job.quality)
        write_atomic(root / cache_name(sha, spec, job.quality), buf.getvalue())


def _decode(data: bytes, job: Job, largest: int) -> Image.Image:
    """Decode once, upright, in sRGB, as RGB or RGBA, with no metadata left in ``info``."""
    # not closed: the decoded pixels are used after the block (the bytes are in memory)
    with open_image(io.BytesIO(data), close=False) as im:
        width, height = im.size
        if width * height > job.max_pixels:
            raise PhotoProblem(too_large(width, height, job.max_pixels))
        if oriented_size(width, height, job.orientation) != (job.width, job.height):
            raise PhotoProblem("the file changed during the build; build again")
        target = (largest, max(1, round(job.height * largest / job.width)))
        if job.orientation in (5, 6, 7, 8):
            target = (target[1], target[0])
        if im.format == "JPEG":
            im.draft(im.mode, draft_request(width, height, target))
        im.load()  # the first frame of an animation
        icc = im.info.get("icc_profile")
        image: Image.Image = im
        if job.orientation in _TRANSPOSE:
            image = image.transpose(_TRANSPOSE[job.orientation])
        icc_bytes = icc if isinstance(icc, bytes) else None
        image = _to_rgb(image, icc_bytes, "transparency" in im.info)
    image.info = {}  # nothing of the source's metadata may reach an encoder
    return image


def _to_rgb(im: Image.Image, icc: bytes | None, transparent: bool) -> Image.Image:
    """Normalize any mode to RGB or RGBA in sRGB (alpha dropped when fully opaque)."""
    mode = im.mode
    if mode.startswith("I;16") or mode == "I":
        # 16-bit grey: scale to 8 bits (a plain convert would clip everything to white)
        as_int = im.convert("I") if mode != "I" else im
        high = as_int.getextrema()[1]  # one band: its (lowest, highest) value
        assert isinstance(high, int | float)
        scale = 1 / 256 if mode != "I" or high > 255 else 1.0
        im = as_int.point(lambda v: v * scale).convert("L")
    elif mode == "F":
        im = im.convert("L")
    elif mode in ("P", "PA"):
        im = im.convert("RGBA" if transparent or mode == "PA" else "RGB")
    elif mode in ("LA", "La", "RGBa"):
        im = im.convert("RGBA")
    elif mode == "1":
        im = im.convert("L")
    if icc and im.mode in ("RGB", "RGBA", "L", "CMYK"):
        im = _to_srgb(im, icc)
    if im.mode not in ("RGB", "RGBA"):
        im = im.convert("RGB")
    if im.mode == "RGBA" and im.getchannel("A").getextrema() == (255, 255):
        im = im.convert("RGB")
    return im


def _to_srgb(im: Image.Image, icc: bytes) -> Image.Image:
    """Convert from the embedded profile to sRGB; an unusable profile is ignored."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(source).lower() and im.mode != "CMYK":
            return im
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return im
    return converted if converted is not None else im


def _on_white(im: Image.Image) -> Image.Image:
    flat = Image.new("RGB", im.size, (255, 255, 255))
    flat.paste(im, mask=im.getchannel("A"))
    return flat


def _encode(im: Image.Image, fp: io.BytesIO, spec: Spec, quality: int) -> None:
    """Encode with no metadata but EXIF Artist/Copyright from the credit (if any)."""
    options: dict[str, object] = {}
    if spec.credit:
        exif = Image.Exif()
        # UTF-8 in the ASCII fields, as exiftool and browsers read them; "©" needs it
        exif[_ARTIST] = spec.credit.encode("utf-8")
        exif[_COPYRIGHT] = f"\u00a9 {spec.credit}".encode()
        options["exif"] = exif
    if spec.format == "jpeg":
        im.save(fp, "JPEG", quality=quality, optimize=True, **options)
    elif spec.format == "webp":
        im.save(fp, "WEBP", quality=quality, method=4, **options)
    elif spec.format == "avif":
        im.save(fp, "AVIF", quality=quality, **options)
    elif spec.format == "png":
        im.save(fp, "PNG", compress_level=6, **options)
    else:
        raise PhotoProblem(f"unsupported output format {spec.format!r}")


def make_master(path: Path, job: Job, size: tuple[int, int]) -> bytes:
    """The master body of a photo that cannot keep its own JPEG data: decoded upright in
    sRGB, at ``size`` (the download's), encoded once (``downloads.encode_master``)."""
    image = _decode(path.read_bytes(), job, size[0])
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return encode_master(image)
