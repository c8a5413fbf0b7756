"""Reading photos without decoding them: header facts and embedded caption and credit.

``Image.open`` is lazy, so ``probe`` and ``read_embedded_metadata`` cost a header read,
and every failure becomes a ``PhotoProblem`` in a user's words.
"""

from __future__ import annotations

import io
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, IptcImagePlugin, UnidentifiedImageError

from presssite.images.geometry import oriented_size

ORIENTATION = 0x0112
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
        value = im.getexif().get(ORIENTATION, 1)
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
