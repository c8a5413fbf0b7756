"""The pixel work behind ``images``: read headers, decode each photo once, write variants.

Three parts, all below the stage in the layering:
- reading without decoding (``probe``, ``read_embedded_metadata``): ``Image.open`` is lazy,
  so these cost a header read, and every failure becomes a ``PhotoProblem`` in a user's words;
- cache names and atomic writes: a variant's file name hashes every input of its bytes, and
  a file is written under a temp name then renamed in, so a cache file that exists is never
  stale and never half-written;
- the job: ``run_all`` hands ``run_job`` to an executor. ``run_job`` is a top-level function
  taking and returning plain frozen dataclasses, so any ``concurrent.futures.Executor`` can
  run it (a process pool, threads, dask.distributed) with the same output bytes. It never
  raises: a photo Pillow cannot read comes back as an ``Outcome`` with an ``error`` text,
  so no traceback crosses the executor boundary.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import multiprocessing.context
import os
import sys
import uuid
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms, IptcImagePlugin, UnidentifiedImageError

from presssite.errors import ImageError
from presssite.images.geometry import EXTENSIONS, crop_rect, draft_request, oriented_size

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
_ARTIST, _COPYRIGHT, _ORIENTATION = 0x013B, 0x8298, 0x0112
_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_PS = "{http://ns.adobe.com/photoshop/1.0/}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# --------------------------------------------------------------------------- reading


class PhotoProblem(Exception):
    """A photo cannot be used; the message says why in a user's words."""


@dataclass(frozen=True)
class Probe:
    """What a photo's header tells without decoding pixels."""

    width: int  # as shown, EXIF orientation applied
    height: int
    orientation: int  # EXIF orientation, 1 when none
    caption: str  # embedded IPTC/XMP caption, "" when none
    credit: str  # embedded IPTC/XMP credit or creator, "" when none


def probe(path: Path, *, max_pixels: int) -> Probe:
    """Read size, orientation and embedded caption/credit from the header only.

    ``Image.open`` is lazy: no pixel is decoded here. Refuses files over ``max_pixels``.
    """
    with open_image(path) as im:
        width, height = im.size
        if width * height > max_pixels:
            raise PhotoProblem(too_large(width, height, max_pixels))
        orientation = _orientation(im)
        caption, credit = _embedded(im)
    shown_w, shown_h = oriented_size(width, height, orientation)
    return Probe(shown_w, shown_h, orientation, caption, credit)


def read_embedded_metadata(path: Path) -> tuple[str, str]:
    """(caption, credit) as a photo desk embedded them, "" for what is absent.

    XMP is preferred over IPTC field by field: XMP is always Unicode, while legacy IPTC
    often carries no charset and is read as UTF-8, else Latin-1.
    """
    with open_image(path) as im:
        return _embedded(im)


def check(path: Path, *, max_pixels: int) -> str:
    """The photo's Pillow format ("JPEG") once every pixel decodes; else ``PhotoProblem``.

    For a photo about to enter a site (``presssite import``): the refusals a build would
    make of it (``probe``'s, then the decode's), so a bomb, a truncated or a corrupt file
    is refused before it is copied in rather than by the build that processes it.
    """
    probe(path, max_pixels=max_pixels)
    with open_image(path) as im:
        fmt = im.format or ""
        try:
            im.load()
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
            raise PhotoProblem(decode_problem(exc)) from None
    return fmt


def decode_problem(exc: Exception) -> str:
    """Why a photo whose header reads failed to decode, in a user's words."""
    if isinstance(exc, Image.DecompressionBombError):
        return f"refused: {exc}"
    return f"cannot decode: {str(exc) or type(exc).__name__}"


@contextmanager
def open_image(source: Path | io.BytesIO, *, close: bool = True) -> Iterator[Image.Image]:
    """``Image.open`` that turns every failure into ``PhotoProblem``; lazy, like it."""
    try:
        with warnings.catch_warnings():
            # presssite applies its own max_pixels; Pillow's warning would only be noise
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(source)
    except FileNotFoundError:
        raise PhotoProblem("file not found") from None
    except UnidentifiedImageError:
        raise PhotoProblem("not an image Pillow can read") from None
    except Image.DecompressionBombError as exc:
        raise PhotoProblem(f"refused as a decompression bomb ({exc})") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoProblem(f"cannot read: {exc}") from None
    try:
        yield image
    finally:
        if close:
            image.close()


def _orientation(im: Image.Image) -> int:
    """EXIF orientation from data already read with the header (never decodes pixels).

    A PNG whose eXIf chunk comes after the pixels is treated as upright, here and in the
    worker alike, so planned and produced sizes always agree.
    """
    if "exif" not in im.info and im.format not in ("TIFF", "MPO"):
        return 1
    try:
        value = im.getexif().get(_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not stop the photo
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _embedded(im: Image.Image) -> tuple[str, str]:
    caption, credit = _from_xmp(_xmp_bytes(im))
    if not caption or not credit:
        iptc_caption, iptc_credit = _from_iptc(im)
        caption = caption or iptc_caption
        credit = credit or iptc_credit
    return caption, credit


def _xmp_bytes(im: Image.Image) -> bytes:
    raw = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if raw is None and im.format == "TIFF":
        raw = getattr(im, "tag_v2", {}).get(700)
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    return raw if isinstance(raw, bytes) else b""


def _from_xmp(data: bytes) -> tuple[str, str]:
    """dc:description; photoshop:Credit, else dc:creator. Stdlib XML: no entity expansion."""
    if not data.strip():
        return "", ""
    try:
        root = ET.fromstring(data.strip(b"\x00 \t\r\n"))
    except ET.ParseError:
        return "", ""
    caption = credit = creator = ""
    for desc in root.iter(f"{_RDF}Description"):
        credit = credit or desc.get(f"{_PS}Credit", "").strip()
        caption = caption or desc.get(f"{_DC}description", "").strip()
        for child in desc:
            if child.tag == f"{_DC}description":
                caption = caption or _rdf_text(child)
            elif child.tag == f"{_PS}Credit":
                credit = credit or _rdf_text(child)
            elif child.tag == f"{_DC}creator":
                creator = creator or ", ".join(_rdf_items(child))
    return caption, credit or creator


def _rdf_items(element: ET.Element) -> Iterator[str]:
    items = list(element.iter(f"{_RDF}li"))
    if not items:
        text = (element.text or "").strip()
        if text:
            yield text
        return
    for li in items:
        text = (li.text or "").strip()
        if text:
            yield text


def _rdf_text(element: ET.Element) -> str:
    """The x-default entry of a language alternative, else its first entry."""
    for li in element.iter(f"{_RDF}li"):
        if li.get(_XML_LANG) == "x-default" and (li.text or "").strip():
            return (li.text or "").strip()
    return next(_rdf_items(element), "")


def _from_iptc(im: Image.Image) -> tuple[str, str]:
    """2:120 Caption-Abstract; 2:110 Credit, else 2:80 By-line."""
    try:
        info = IptcImagePlugin.getiptcinfo(im)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - a broken IPTC block must not stop the photo
        return "", ""
    if not info:
        return "", ""
    utf8 = info.get((1, 90)) == b"\x1b%G"

    def text(key: tuple[int, int]) -> str:
        value = info.get(key)
        values = value if isinstance(value, list) else [value] if value else []
        return ", ".join(t for t in (_decode_iptc(v, utf8) for v in values) if t)

    return text((2, 120)), text((2, 110)) or text((2, 80))


def _decode_iptc(value: bytes, utf8: bool) -> str:
    try:
        return value.decode("utf-8").strip()
    except UnicodeDecodeError:
        if utf8:
            return value.decode("utf-8", "replace").strip()
        return value.decode("latin-1").strip()


def too_large(width: int, height: int, max_pixels: int) -> str:
    return (
        f"{width}x{height} is {width * height:,} pixels, over the limit of {max_pixels:,} "
        "([images] max_pixels)"
    )


# --------------------------------------------------------------------------- cache names


@dataclass(frozen=True)
class Spec:
    """One variant of a source photo: everything its bytes depend on besides the source."""

    width: int
    height: int
    format: str  # "jpeg", "webp", "avif", "png"
    credit: str  # written to EXIF Artist and Copyright; "" writes no EXIF at all
    crop: tuple[int, int] | None = None  # aspect ratio of a centred crop of the largest variant


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


def write_atomic(dest: Path, data: bytes) -> None:
    """Write a temp file beside ``dest`` then rename it in: readers see all or nothing."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
    if not missing:
        return Outcome(job.path, sha256=sha)
    try:
        _make_variants(data, job, missing, sha)
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


# --------------------------------------------------------------------------- running


def run_all(
    todo: list[Job], *, executor: Executor | None, jobs: int | None, progress: bool
) -> list[Outcome]:
    """Run the jobs in ``executor``, else in a process pool of ``jobs`` workers (default: all
    cores), else here when one worker would do; results come back in job order.

    A photo that fails is an ``Outcome`` with an error; ``ImageError`` is raised only when
    the pool itself dies.
    """
    if not todo:
        return []
    with _progress_bar(len(todo), enabled=progress) as advance:
        if executor is not None:
            return _drain(executor, todo, advance)
        workers = min(jobs or os.cpu_count() or 1, len(todo))
        if workers <= 1:
            results = []
            for job in todo:
                results.append(run_job(job))
                advance()
            return results
        with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context()) as pool:
            return _drain(pool, todo, advance)


def _mp_context() -> multiprocessing.context.BaseContext:
    """Forkserver where there is one: forking a process that runs threads (the dev server's
    watcher, a web server) can deadlock its children; spawn is the portable fallback."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _drain(executor: Executor, todo: list[Job], advance: Callable[[], None]) -> list[Outcome]:
    futures: dict[Future[Outcome], int] = {
        executor.submit(run_job, j): i for i, j in enumerate(todo)
    }
    results: list[Outcome | None] = [None] * len(todo)
    for future in as_completed(futures):
        i = futures[future]
        try:
            results[i] = future.result()
        except BrokenExecutor as exc:
            for other in futures:
                other.cancel()
            raise ImageError(
                f"the photo workers stopped unexpectedly ({exc})",
                hint="a worker was killed (out of memory?), or a script calling presssite "
                'lacks the `if __name__ == "__main__":` guard process pools need; '
                "--jobs 1 processes photos without workers",
            ) from None
        except Exception as exc:  # noqa: BLE001 - a crashed worker is reported per photo
            results[i] = Outcome(todo[i].path, decoded=True, error=f"worker failed: {exc}")
        advance()
    return [r for r in results if r is not None]


class _progress_bar:
    """A rich progress bar on stderr, only when asked for and stderr is a terminal."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("photos", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
