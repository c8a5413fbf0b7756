"""Full-size downloads: a photo's own JPEG data under new metadata, caption and credit inside.

A newsroom's photo software reads a photo's caption and credit from its metadata, so each
page's download carries them as XMP (``dc:description``, ``dc:creator``,
``photoshop:Credit``, ``dc:rights``) and EXIF (``ImageDescription``, ``Artist``,
``Copyright``), and nothing else of the source's metadata (no GPS, no camera data).

A download is three parts: a start-of-image marker, the metadata segments, and the *body*
(the JPEG's tables and compressed image data). When the source already is an upright RGB
JPEG in sRGB within ``[images] download_max``, the body is the source's own bytes: no
re-encode, no loss, no cost. Otherwise the photo is decoded and encoded once into a master
whose body every locale shares. Either way each locale's copy differs only in its
metadata, and its size is known before any file is written (the body's length plus the
metadata's), so pages can show it.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageCms

from presssite.images.reading import PhotoProblem, open_image

DOWNLOAD_QUALITY = 92  # a re-encoded master: close to the original for a newsroom's use
_SOI = b"\xff\xd8"
_SOS = 0xDA
_COM = 0xFE
_APP0, _APP14, _APP15 = 0xE0, 0xEE, 0xEF
_STANDALONE = {0x01, *range(0xD0, 0xD8)}
_MAX_SEGMENT = 65533  # a segment's payload, its two length bytes excluded
_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"
_DESCRIPTION, _ARTIST, _COPYRIGHT = 0x010E, 0x013B, 0x8298
_HEADER_READ = 1 << 18  # most JPEG headers (EXIF thumbnail included) fit in this


@dataclass(frozen=True)
class DownloadFacts:
    """How one source becomes its download: size, body length, and where the body is."""

    width: int
    height: int
    body: int  # bytes of the body (tables and compressed data) every copy ends with
    master: str  # "" when the body is the source's own; else the master's cache name


@dataclass(frozen=True)
class Words:
    """The words a download carries: the caption of one locale, the credit, the rights."""

    caption: str
    credit: str
    rights: str


def rights(credit: str, publisher: str) -> str:
    """The copyright line: "© credit / publisher", or whichever of them there is."""
    holders = " / ".join(dict.fromkeys(h for h in (credit, publisher) if h))
    return f"\u00a9 {holders}" if holders else ""


def metadata(words: Words) -> bytes:
    """The APP1 EXIF and APP1 XMP segments carrying ``words`` (empty ones are left out)."""
    exif = Image.Exif()
    # UTF-8 in the ASCII fields, as exiftool and browsers read them; "©" needs it
    for tag, value in ((_DESCRIPTION, words.caption), (_ARTIST, words.credit)):
        if value:
            exif[tag] = value.encode("utf-8")
    if words.rights:
        exif[_COPYRIGHT] = words.rights.encode("utf-8")
    out = b""
    if len(exif):
        out += _segment(0xE1, exif.tobytes())
    return out + _segment(0xE1, _XMP_HEADER + _xmp(words))


def _xmp(words: Words) -> bytes:
    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    props = []
    if words.caption:
        props.append(f"<dc:description>{alt(words.caption)}</dc:description>")
    if words.credit:
        props.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(words.credit)}</rdf:li></rdf:Seq>")
        props[-1] += "</dc:creator>"
        props.append(f"<photoshop:Credit>{escape(words.credit)}</photoshop:Credit>")
    if words.rights:
        props.append(f"<dc:rights>{alt(words.rights)}</dc:rights>")
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"<rdf:Description rdf:about={quoteattr('')}"
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
        + "".join(props)
        + "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def _segment(marker: int, payload: bytes) -> bytes:
    if len(payload) > _MAX_SEGMENT:
        raise PhotoProblem("the caption and credit are too long for a photo's metadata (64 KB)")
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def download(body: bytes, words: Words) -> bytes:
    """A download's bytes: start of image, the metadata of ``words``, the shared body."""
    return _SOI + metadata(words) + body


def metadata_size(words: Words) -> int:
    return len(metadata(words))


def metadata_key(words: Words) -> str:
    """What the metadata of ``words`` is made of, hashed: its size is kept by it."""
    return "metadata " + hashlib.sha256(repr(words).encode("utf-8", "surrogatepass")).hexdigest()


def download_size(facts: DownloadFacts, metadata_bytes: int) -> int:
    """A download's size, its metadata's given (``metadata_size``): made as ``download``."""
    return len(_SOI) + metadata_bytes + facts.body


# --------------------------------------------------------------------------- bodies


def body(data: bytes) -> bytes:
    """A JPEG's body: every segment but metadata (APPn but Adobe's APP14, comments), then
    the compressed data as it is. Raises ``PhotoProblem`` for a broken structure."""
    kept, sos = _scan(data)
    return b"".join(data[a:b] for a, b in kept) + data[sos:]


def _scan(data: bytes) -> tuple[list[tuple[int, int]], int]:
    """(kept header segments as (start, end), offset of the start of scan)."""
    if not data.startswith(_SOI):
        raise PhotoProblem("not a JPEG file")
    kept: list[tuple[int, int]] = []
    i = 2
    while True:
        while i < len(data) and data[i] == 0xFF and i + 1 < len(data) and data[i + 1] == 0xFF:
            i += 1  # fill bytes
        if i + 4 > len(data) or data[i] != 0xFF:
            raise PhotoProblem("a broken JPEG structure")
        marker = data[i + 1]
        if marker == _SOS:
            return kept, i
        if marker in _STANDALONE:
            kept.append((i, i + 2))
            i += 2
            continue
        end = i + 2 + int.from_bytes(data[i + 2 : i + 4], "big")
        if end > len(data):
            raise PhotoProblem("a broken JPEG structure")
        metadata_segment = (_APP0 <= marker <= _APP15 and marker != _APP14) or marker == _COM
        if not metadata_segment:
            kept.append((i, end))
        i = end


def passthrough_facts(
    path: Path, *, orientation: int, download_max: int | None
) -> DownloadFacts | None:
    """The download of a source that keeps its own compressed data, or None when it cannot:
    not a JPEG, not RGB, turned by EXIF, in another colour space, or over ``download_max``."""
    with open_image(path) as im:
        if im.format != "JPEG" or im.mode != "RGB" or orientation != 1:
            return None
        width, height = im.size
        icc = im.info.get("icc_profile")
        if download_max is not None and max(width, height) > download_max:
            return None
        if icc and not _is_srgb(icc):
            return None
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(_HEADER_READ)
        try:
            kept, sos = _scan(head)
        except PhotoProblem:
            head += fh.read()
            kept, sos = _scan(head)
    return DownloadFacts(width, height, sum(b - a for a, b in kept) + size - sos, "")


def _is_srgb(icc: bytes) -> bool:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return "srgb" in ImageCms.getProfileDescription(profile).lower()
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return False


def master_name(sha256: str, download_max: int | None, version: int) -> str:
    """Cache name of a re-encoded master's body: it hashes every input of its bytes."""
    key = hashlib.sha256(
        f"{version}\0{sha256}\0{download_max}\0{DOWNLOAD_QUALITY}".encode()
    ).hexdigest()
    return f"{sha256[:2]}/{sha256[:16]}-master-{key[:16]}.jpg"


def download_name(sha256: str, facts: DownloadFacts, words: Words, version: int) -> str:
    """Cache name of one locale's download: the body it ends with and the words it carries."""
    key = hashlib.sha256(
        "\0".join(
            (str(version), sha256, facts.master, words.caption, words.credit, words.rights)
        ).encode("utf-8")
    ).hexdigest()
    return f"{sha256[:2]}/{sha256[:16]}-full-{key[:16]}.jpg"


def encode_master(image: Image.Image) -> bytes:
    """A decoded, upright sRGB photo as a master body: JPEG data without any metadata."""
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=DOWNLOAD_QUALITY, optimize=True)
    return body(buf.getvalue())
