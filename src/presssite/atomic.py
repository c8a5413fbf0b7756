"""The one rule for replacing a file: a reader finds the old file or the whole new one.

The build cache's indexes and blobs, the image cache's variants, downloads, press kits
and its index are all written this way: to a temp file beside the destination (same
folder, so the rename never crosses a file system), then ``os.replace``d over it. A
failed write removes its temp file; a killed one leaves at most a hidden ``.tmp`` file
beside the old one (the image cache prunes stale ones); never half a file under the
real name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A new file to write, beside ``path`` (its folder made), renamed over ``path`` when
    the block ends without an error, else removed. Written as it goes, so a large index
    is pickled straight into it rather than held a second time as one ``bytes``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, then rename it over ``path``."""
    with atomic_file(path) as fh:
        fh.write(data)
