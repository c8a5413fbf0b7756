"""The image cache's index and pruning: what the last build knew of each source photo.

The index maps a source (site-relative path) to its size, mtime, SHA-256 and header facts,
so an unchanged photo is neither hashed nor opened again. Pruning deletes the cache files
no page uses any more, and temp files left by killed builds.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from presssite.images.worker import CACHE_VERSION, write_atomic
from presssite.settings import Settings

log = logging.getLogger(__name__)

INDEX = "index.json"
_STALE_TEMP_SECONDS = 3600  # temp files older than this are left over from killed builds


def cache_folder(settings: Settings) -> Path:
    return settings.cache_dir / "images"


def index_key(path: Path, settings: Settings) -> str:
    """Site-relative when possible, so moving the site folder keeps the index valid."""
    try:
        return path.resolve().relative_to(settings.root).as_posix()
    except ValueError:
        return str(path.resolve())


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
    """Delete cache files not in ``referenced``, and temp files left by killed builds."""
    keep = set(referenced)
    now = time.time()
    count = 0
    for path in root.glob("*/*"):
        name = path.relative_to(root).as_posix()
        if name in keep or not path.is_file():
            continue
        if path.name.endswith(".tmp"):
            try:
                if now - path.stat().st_mtime < _STALE_TEMP_SECONDS:
                    continue  # perhaps another build's write in progress
            except OSError:
                continue
        try:
            path.unlink()
            count += 1
        except OSError as exc:
            log.debug("cannot prune %s: %s", path, exc)
    return count
