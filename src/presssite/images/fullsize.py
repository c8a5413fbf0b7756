"""Planning each source's full-size download: its own JPEG data, or a master encoded once.

Pages show a download's pixel size and file size, so both are known at plan time. A
source that keeps its own compressed data costs a header scan; any other is decoded and
encoded once here into a master (kept in the image cache, named by the source's hash),
whose body every locale's copy shares. Either way the facts go to the image cache's
index, so an unchanged photo is not looked at again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from presssite.images.downloads import DownloadFacts, master_name, passthrough_facts
from presssite.images.reading import PhotoProblem
from presssite.images.worker import CACHE_VERSION, Job, make_master, write_atomic
from presssite.settings import Settings


def facts(
    path: Path,
    *,
    width: int,
    height: int,
    orientation: int,
    settings: Settings,
    root: Path,
    known: Mapping[str, Any] | None,
) -> DownloadFacts:
    """The download facts of one source; ``known`` is its index entry's, when unchanged."""
    cap = settings.images.download_max
    if isinstance(known, Mapping):
        try:
            found = DownloadFacts(
                int(known["width"]), int(known["height"]), int(known["body"]), str(known["master"])
            )
        except (KeyError, TypeError, ValueError):
            found = None
        if found is not None and (not found.master or (root / found.master).is_file()):
            if known.get("cap") == cap:
                return found
    own = passthrough_facts(path, orientation=orientation, download_max=cap)
    if own is not None:
        return own
    size = capped(width, height, cap)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    name = master_name(sha, cap, CACHE_VERSION)
    target = root / name
    if not target.is_file():
        job = Job(
            path=str(path),
            width=width,
            height=height,
            orientation=orientation,
            largest=size,
            specs=(),
            quality=0,
            max_pixels=settings.images.max_pixels,
            cache_root=str(root),
        )
        try:
            write_atomic(target, make_master(path, job, size))
        except PhotoProblem:
            raise
        except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
            raise PhotoProblem(f"cannot decode: {exc or type(exc).__name__}") from None
    return DownloadFacts(size[0], size[1], target.stat().st_size, name)


def capped(width: int, height: int, cap: int | None) -> tuple[int, int]:
    """The download's size: the photo's own, or scaled so its long edge is ``cap``."""
    if cap is None or max(width, height) <= cap:
        return width, height
    if width >= height:
        return cap, max(1, round(height * cap / width))
    return max(1, round(width * cap / height)), cap


def index_entry(found: DownloadFacts, settings: Settings) -> dict[str, Any]:
    return {
        "width": found.width,
        "height": found.height,
        "body": found.body,
        "master": found.master,
        "cap": settings.images.download_max,
    }
