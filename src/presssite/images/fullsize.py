"""Planning each source's full-size download: its own JPEG data, or a master encoded once.

Pages show a download's pixel size and file size, so both are known at plan time. A
source that keeps its own compressed data costs a header scan; any other is decoded and
encoded once here into a master (kept in the image cache, named by the source's hash),
whose body every locale's copy shares. Either way the facts go to the image cache's
index, so an unchanged photo is not looked at again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from presssite.atomic import write_atomic
from presssite.errors import ImageError, PresssiteError
from presssite.images.downloads import DownloadFacts, master_name, passthrough_facts
from presssite.images.planned import SourceInfo
from presssite.images.pool import mp_context
from presssite.images.reading import PhotoProblem
from presssite.images.worker import CACHE_VERSION, Job, cache_folder, make_master
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
        if (
            found is not None
            and found.body >= 0
            and (not found.master or (root / found.master).is_file())
        ):
            if known.get("cap") == cap:
                return found
    own = passthrough_facts(path, orientation=orientation, download_max=cap)
    if own is not None:
        return own
    size = capped(width, height, cap)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    name = master_name(sha, cap, CACHE_VERSION)
    target = root / name
    body = target.stat().st_size if target.is_file() else PENDING
    return DownloadFacts(size[0], size[1], body, name)


def make_masters(
    pending: Sequence[tuple[Path, int, int, int, DownloadFacts]],
    settings: Settings,
    root: Path,
    *,
    executor: Executor | None = None,
    jobs: int | None = None,
) -> dict[Path, DownloadFacts | str]:
    """Make the pending masters, (path, width, height, orientation, facts) each, in
    ``executor`` or a process pool; path -> the facts with the body's size, or why not."""
    tasks = [
        _Master(
            str(path),
            w,
            h,
            o,
            (f.width, f.height),
            str(root / f.master),
            settings.images.max_pixels,
        )
        for path, w, h, o, f in pending
    ]
    if not tasks:
        return {}
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if executor is not None:
        results = list(executor.map(_make, tasks))
    elif workers <= 1:
        results = [_make(task) for task in tasks]
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context()) as pool:
            results = list(pool.map(_make, tasks))
    out: dict[Path, DownloadFacts | str] = {}
    for (path, _w, _h, _o, f), result in zip(pending, results, strict=True):
        out[path] = (
            DownloadFacts(f.width, f.height, result, f.master)
            if isinstance(result, int)
            else result
        )
    return out


PENDING = -1  # the body size of a master not made yet


@dataclass(frozen=True)
class _Master:
    path: str
    width: int
    height: int
    orientation: int
    size: tuple[int, int]
    target: str
    max_pixels: int


def _make(task: _Master) -> int | str:
    """Make one master; its body's size, or why it cannot be made. Never raises."""
    job = Job(
        path=task.path,
        width=task.width,
        height=task.height,
        orientation=task.orientation,
        largest=task.size,
        specs=(),
        quality=0,
        max_pixels=task.max_pixels,
        cache_root="",
    )
    try:
        data = make_master(Path(task.path), job, task.size)
        write_atomic(Path(task.target), data)
    except PhotoProblem as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for broken files
        return f"cannot decode: {exc or type(exc).__name__}"
    return len(data)


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


def complete(
    sources: dict[Path, SourceInfo],
    failed: dict[Path, PresssiteError],
    settings: Settings,
    *,
    executor: Executor | None = None,
    jobs: int | None = None,
) -> None:
    """Make the planned sources' pending masters; a photo whose master cannot be made
    moves from ``sources`` to ``failed`` with an ``ImageError`` naming its page and line."""
    pending = [
        (i.path, i.width, i.height, i.orientation, i.download)
        for i in sources.values()
        if i.download is not None and i.download.body == PENDING
    ]
    made = make_masters(pending, settings, cache_folder(settings), executor=executor, jobs=jobs)
    for path, facts in made.items():
        info = sources[path]
        if isinstance(facts, str):
            del sources[path]
            failed[path] = ImageError(
                f"photo {info.photo.src!r}: {facts}",
                path=info.doc,
                line=info.photo.line,
                hint=f"replace or fix {path}, or remove the photo from the page",
            )
        else:
            sources[path] = dataclasses.replace(info, download=facts)
