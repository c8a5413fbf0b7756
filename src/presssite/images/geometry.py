"""Pure geometry and naming of photo variants: integers and strings in, integers and strings out.

``images.plan`` and the worker that ``images.process`` runs both size variants with these
functions, so the ``width``/``height`` a page declares are exactly the pixels the file has.
Nothing here touches a file or Pillow, which keeps every rule table-testable.
"""

from __future__ import annotations

import posixpath

# EXIF orientations that store the picture turned a quarter: width and height swap.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})

# File extension of each output format.
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "avif": "avif", "png": "png", "gif": "gif"}


def oriented_size(width: int, height: int, orientation: int | None) -> tuple[int, int]:
    """The size a viewer shows: stored size, swapped when EXIF says it is turned a quarter."""
    if orientation in _QUARTER_TURNS:
        return height, width
    return width, height


def target_widths(original: int, widths: tuple[int, ...]) -> tuple[int, ...]:
    """The widths a photo is published at, ascending; never wider than the original.

    Each configured width up to the original's, plus the original's own width when it is
    narrower than the largest configured one (so a small photo still gets its best size,
    and is never upscaled). ``widths`` empty means "the original only".
    """
    chosen = {w for w in widths if w <= original}
    if not widths or original < max(widths):
        chosen.add(original)
    return tuple(sorted(chosen))


def scaled_size(width: int, height: int, target: int) -> tuple[int, int]:
    """(target, height kept in proportion), at least 1 pixel high."""
    if target == width:
        return width, height
    return target, max(1, round(height * target / width))


def draft_request(
    width: int, height: int, target: tuple[int, int], *, gap: float = 2.0
) -> tuple[int, int]:
    """The smallest size a JPEG may be decoded at (DCT scaling) before the final resample.

    Asking for ``gap`` times the target keeps the final Lanczos step sharp while letting
    libjpeg skip most of the work for photos much larger than their largest variant.
    Never more than the image itself.
    """
    return min(width, round(target[0] * gap)), min(height, round(target[1] * gap))


def closest(values: tuple[int, ...], goal: int) -> int:
    """The value nearest to ``goal``; on a tie the larger one (sharper on big screens)."""
    if not values:
        raise ValueError("no values")
    return min(values, key=lambda v: (abs(v - goal), -v))


def variant_stem(src: str) -> str:
    """Bundle-relative path of a photo without its extension, safe to publish under a page.

    "photos/01.jpg" -> "photos/01". Leading "./", "/" and ".." parts are dropped so a
    variant can never land outside its page's folder.
    """
    norm = posixpath.normpath(src.replace("\\", "/"))
    parts = [p for p in norm.split("/") if p not in ("", ".", "..")]
    path = "/".join(parts) or "photo"
    root, _ext = posixpath.splitext(path)
    return root or path


def variant_name(stem: str, width: int, fmt: str) -> str:
    """ "photos/01" at 480 px in WebP -> "photos/01-480.webp"."""
    return f"{stem}-{width}.{EXTENSIONS[fmt]}"


def unique_stems(srcs: tuple[str, ...]) -> dict[str, str]:
    """src -> stem, keeping stems distinct on one page.

    "01.jpg" and "01.png" would both publish "01-480.webp"; when stems collide each
    colliding src keeps its extension in the stem ("01-jpg", "01-png").
    """
    stems = {src: variant_stem(src) for src in srcs}
    counts: dict[str, int] = {}
    for stem in stems.values():
        counts[stem] = counts.get(stem, 0) + 1
    out = {}
    for src, stem in stems.items():
        if counts[stem] > 1:
            ext = posixpath.splitext(src)[1].lstrip(".").lower()
            stem = f"{stem}-{ext}" if ext else stem
        out[src] = stem
    return out


def crop_rect(width: int, height: int, ratio: tuple[int, int]) -> tuple[int, int, int, int]:
    """The largest centred whole-pixel box of aspect ``ratio`` (w, h): (left, top, right, bottom).

    Crops are cut from the largest variant without resampling, so the box is in whole
    pixels and its aspect is ``ratio`` to within a pixel.
    """
    rw, rh = ratio
    box_w = min(width, height * rw // rh)
    box_h = min(height, max(1, round(box_w * rh / rw)))
    box_w = max(1, box_w)
    left, top = (width - box_w) // 2, (height - box_h) // 2
    return left, top, left + box_w, top + box_h


def crop_name(stem: str, ratio: tuple[int, int], fmt: str) -> str:
    """ "photos/01" cropped to 16:9 in JPEG -> "photos/01-16x9.jpg"."""
    return f"{stem}-{ratio[0]}x{ratio[1]}.{EXTENSIONS[fmt]}"
