"""The image cache's index and pruning: what the last build knew of each source photo.

The index maps a source (site-relative path) to its size, mtime, SHA-256 and header facts,
so an unchanged photo is neither hashed nor opened again: unchanged by its size and mtime,
or, in a new checkout, by the hash the build already knows (``cache.hashes``). Pruning
deletes the cache files no page uses any more, and temp files left by killed builds.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from presssite.atomic import write_atomic
from presssite.images import fullsize
from presssite.images.planned import ImagePlan, Known, SourceInfo
from presssite.images.reading import PhotoProblem, Probe, probe
from presssite.images.worker import CACHE_VERSION, cache_folder
from presssite.model import Photo, Translation
from presssite.settings import Settings

log = logging.getLogger(__name__)

INDEX = "index.json"
_STALE_TEMP_SECONDS = 3600  # temp files older than this are left over from killed builds


def index_key(path: Path, settings: Settings) -> str:
    """Site-relative when possible, so moving the site folder keeps the index valid: a
    photo of the site's folder (the settings' root is resolved) by its path there, with
    no system call; another by where it resolves to."""
    try:
        return path.relative_to(settings.root).as_posix()
    except ValueError:
        resolved = path.resolve()
    try:
        return resolved.relative_to(settings.root).as_posix()
    except ValueError:
        return str(resolved)


def load_index(root: Path) -> dict[str, Any]:
    """Source key -> facts recorded by the last build; empty when absent or from another version."""
    try:
        data = json.loads((root / INDEX).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def save_index(root: Path, files: Mapping[str, Mapping[str, Any]]) -> None:
    """Write the index atomically; an unchanged index is not rewritten."""
    data = {"version": CACHE_VERSION, "files": files}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    try:
        if (root / INDEX).read_bytes() == text:
            return  # a no-change rebuild writes nothing
    except OSError:
        pass
    try:
        write_atomic(root / INDEX, text)
    except OSError as exc:
        log.warning("cannot write the image cache index %s: %s", root / INDEX, exc)


def prune(root: Path, referenced: Iterable[str]) -> int:
    """Delete cache files not in ``referenced``, and temp files left by killed builds.

    The cache holds a file or more for every photo, download and kit of the site, so it
    is listed with ``os.scandir``, without a ``Path`` per file."""
    keep = set(referenced)
    now = time.time()
    count = 0
    for folder in _entries(str(root)):
        if not folder.is_dir(follow_symlinks=False):
            continue
        for entry in _entries(folder.path):
            if f"{folder.name}/{entry.name}" in keep or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name.endswith(".tmp"):
                try:
                    if now - entry.stat().st_mtime < _STALE_TEMP_SECONDS:
                        continue  # perhaps another build's write in progress
                except OSError:
                    continue
            try:
                os.unlink(entry.path)
                count += 1
            except OSError as exc:
                log.debug("cannot prune %s: %s", entry.path, exc)
    return count


def _entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return list(found)
    except OSError:
        return []


def source_info(
    photo: Photo,
    doc: Translation,
    settings: Settings,
    index: Mapping[str, Any],
    known: Known | None = None,
) -> SourceInfo:
    """Header facts of a source, from the index while the file holds the bytes it was
    indexed with: its size and mtime are unchanged, or ``known`` gives the same hash
    (a checkout's new mtime, on a file whose bytes the build already hashed)."""
    try:
        st = photo.path.stat()
    except FileNotFoundError:
        raise PhotoProblem("file not found") from None
    except OSError as exc:
        raise PhotoProblem(f"cannot read: {exc.strerror or exc}") from None
    entry = index.get(index_key(photo.path, settings))
    fresh = (
        isinstance(entry, dict)
        and entry.get("size") == st.st_size
        and entry.get("width", 0) * entry.get("height", 0) <= settings.images.max_pixels
        and (
            entry.get("mtime_ns") == st.st_mtime_ns
            or (
                known is not None
                and bool(entry.get("sha256"))
                and known(str(photo.path), st.st_size, st.st_mtime_ns) == entry.get("sha256")
            )
        )
    )
    if fresh and isinstance(entry, dict):
        try:
            facts = Probe(
                int(entry["width"]),
                int(entry["height"]),
                int(entry["orientation"]),
                str(entry["caption"]),
                str(entry["credit"]),
            )
            sha = str(entry.get("sha256", ""))
        except (KeyError, TypeError, ValueError):
            facts, sha = probe(photo.path, max_pixels=settings.images.max_pixels), ""
    else:
        facts, sha = probe(photo.path, max_pixels=settings.images.max_pixels), ""
    return SourceInfo(
        path=photo.path,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        width=facts.width,
        height=facts.height,
        orientation=facts.orientation,
        caption=facts.caption,
        credit=facts.credit,
        doc=doc.path,
        photo=photo,
        sha256=sha,
        download=fullsize.facts(
            photo.path,
            width=facts.width,
            height=facts.height,
            orientation=facts.orientation,
            settings=settings,
            root=cache_folder(settings),
            known=entry.get("download") if fresh and isinstance(entry, dict) else None,
        ),
    )


def entries(
    plan: ImagePlan, known: Mapping[Path, str], settings: Settings
) -> dict[str, dict[str, Any]]:
    """Index entries of the sources whose variants are all cached."""
    files = {}
    for path, sha in known.items():
        info = plan.sources[path]
        if not unchanged(info):
            continue  # changed again since planning: let the next build look afresh
        files[index_key(path, settings)] = {
            "size": info.size,
            "mtime_ns": info.mtime_ns,
            "sha256": sha,
            "width": info.width,
            "height": info.height,
            "orientation": info.orientation,
            "caption": info.caption,
            "credit": info.credit,
            "download": fullsize.index_entry(info.download, settings) if info.download else None,
        }
    return files


def unchanged(info: SourceInfo) -> bool:
    try:
        st = info.path.stat()
    except OSError:
        return False
    return st.st_size == info.size and st.st_mtime_ns == info.mtime_ns
