"""The persistent build cache under ``<cache_dir>/build/``: an optimisation, never a source.

Deleting the folder (or any file in it) changes no output byte: every entry is keyed by
a hash of all the inputs that made it, every read is checked, and anything unreadable,
truncated or from another ``CACHE_VERSION`` is ignored, never a crash. What it holds:

- ``*.pickle`` indexes (parsed documents, pages by their input key, feeds, the manifest
  of each output folder, the hashes of the input files), each written whole to a temp
  file and ``os.replace``d in;
- ``blobs/``: content-addressed files (the bytes of feeds, and of pages rendered for an
  in-place publish), named by their SHA-256. Published files are hard links to them,
  so a blob is never changed in place: it is created with ``O_EXCL`` (a leftover of a
  killed build, recognised by its wrong size, is replaced by a new file, never
  rewritten), and a reader that finds it with the expected size may link it. The
  pages a build writes straight into a new output folder (``staging.Staging``) have
  no blob: the page index keeps their hash, and the next build finds their bytes in
  the output it published (``cache.manifest``), or renders them again;
- ``bodies/``: document bodies in pack files (``cache.packs``).

One build at a time uses the cache: ``BuildCache.open`` takes an exclusive ``flock`` on
``build/lock`` and returns None when another build (a ``presssite serve`` rebuilding
while ``presssite build`` runs) holds it for more than ``LOCK_WAIT``; that build then
runs without the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from presssite import collector
from presssite.atomic import atomic_file, write_atomic
from presssite.settings import Settings

log = logging.getLogger(__name__)

CACHE_VERSION = "3"  # bump when the format or meaning of any entry changes

# Indexes kept whatever the code version (their names start so): output manifests
# and file hashes say what is on disk, not what the code makes of the inputs.
UNSALTED = ("target-", "file-hashes")

# Seconds ``BuildCache.open`` waits for the lock before building without the cache. A
# lock outlives its build briefly when a process forked meanwhile (the dev server's
# search indexer starting Pagefind) still holds a copy of its descriptor: the next
# rebuild waits for that, not only for another build to end.
LOCK_WAIT = 2.0


def build_folder(settings: Settings) -> Path:
    return settings.cache_dir / "build"


def digest(*parts: object) -> str:
    """A short stable hash of values whose ``repr`` is deterministic (str, int, tuples...)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class BuildCache:
    """The cache folder of one site, locked for one build."""

    def __init__(
        self,
        root: Path,
        lock_fd: int | None = None,
        salt: str = "",
        memory: dict[Any, Any] | None = None,
    ) -> None:
        self.root = root
        self._blobs = str(root / "blobs")
        self.salt = salt  # the code and library versions: entries of others are ignored
        self.blobs = root / "blobs"
        self._lock_fd = lock_fd
        self._made: set[str] = set()
        # Indexes kept in memory by a long-running process (``presssite serve``), each
        # with the identity of the file it was read from or written to: a load whose file
        # is still that file costs one ``stat``. Values are never changed in place.
        self.memory = memory

    @classmethod
    def open(
        cls, settings: Settings, salt: str = "", memory: dict[Any, Any] | None = None
    ) -> BuildCache | None:
        """The locked cache of ``settings``; None when it is busy or cannot be created.

        ``memory`` (a dict the caller keeps from one build to the next) spares reading
        the indexes that did not change on disk since the last build.
        """
        root = build_folder(settings)
        try:
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(root / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            log.info("build cache unavailable (%s): building without it", exc)
            return None
        try:
            import fcntl
        except ImportError:  # no flock (Windows): one build at a time is the user's care
            return cls(root, fd, salt, memory)
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return cls(root, fd, salt, memory)
            except OSError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
        os.close(fd)
        log.info("another build is using %s: building without the cache", root)
        return None

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    # ---- pickled indexes

    def _salt_of(self, name: str) -> str:
        """The salt the index ``name`` is kept under: none for a manifest (``MANIFESTS``)."""
        return "" if name.startswith(UNSALTED) else self.salt

    def load(self, name: str) -> Any | None:
        """The object saved under ``name``; None when absent, corrupt or of another version."""
        return self._read(name, split=False)

    def load_split(self, name: str) -> tuple[Any, Any] | None:
        """The (head, body) saved under ``name`` by ``save_split``; None as ``load``."""
        found = self._read(name, split=True)
        return found if isinstance(found, tuple) and len(found) == 2 else None

    def save(self, name: str, value: Any) -> None:
        """Replace the object saved under ``name`` atomically; a failure only logs."""
        self._write(name, value, None, split=False)

    def save_split(self, name: str, head: Any, body: Any) -> None:
        """``save`` of (``head``, ``body``), where no object in ``body`` is shared with
        another (``render.recorded``'s packed reads): ``body`` is pickled without the
        memo pickle keeps of every object it writes, which for an index of hundreds of
        thousands of entries is hundreds of megabytes of memory."""
        self._write(name, head, body, split=True)

    def _read(self, name: str, *, split: bool) -> Any | None:
        path = self.root / f"{name}.pickle"
        key = (self._salt_of(name), name)
        seen = file_identity(path) if self.memory is not None else None
        if seen is not None and self.memory is not None:
            kept = self.memory.get(key)
            if kept is not None and kept[0] == seen:
                return kept[1]
        try:
            with open(path, "rb") as fh, collector.reading():
                version, value = pickle.load(fh)
                if split and version == (CACHE_VERSION, key[0]):
                    value = (value, pickle.load(fh))
        except Exception:  # noqa: BLE001 - any unreadable index is simply not there
            return None
        if version != (CACHE_VERSION, key[0]):
            return None
        if seen is not None and self.memory is not None:
            self.memory[key] = (seen, value)
        return value

    def _write(self, name: str, value: Any, body: Any, *, split: bool) -> None:
        path = self.root / f"{name}.pickle"
        try:
            version = (CACHE_VERSION, self._salt_of(name))
            with atomic_file(path) as fh:  # pickled as it is written, not into one copy
                pickle.dump((version, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
                if split:
                    pickler = pickle.Pickler(fh, protocol=pickle.HIGHEST_PROTOCOL)
                    pickler.fast = True  # no memo: nothing in ``body`` is shared
                    pickler.dump(body)
        except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: it only logs
            log.warning("cannot write the build cache %s: %s", name, exc)
            return
        if self.memory is not None:
            seen = file_identity(path)
            if seen is not None:
                kept = (value, body) if split else value
                self.memory[(self._salt_of(name), name)] = (seen, kept)

    def trim(self, prefixes: tuple[str, ...], *, keep: int) -> None:
        """Keep only the ``keep`` newest indexes of each prefix (one per output folder:
        the dev server builds into a new folder every time)."""
        for prefix in prefixes:
            found = []
            for name in listdir(self.root):
                if name.startswith(prefix) and name.endswith(".pickle"):
                    with contextlib.suppress(OSError):
                        found.append((os.stat(self.root / name).st_mtime_ns, name))
            for _mtime, name in sorted(found, reverse=True)[keep:]:
                with contextlib.suppress(OSError):
                    os.unlink(self.root / name)

    def forget(self, name: str) -> None:
        if self.memory is not None:
            self.memory.pop((self._salt_of(name), name), None)
        with contextlib.suppress(OSError):
            os.unlink(self.root / f"{name}.pickle")

    # ---- content-addressed blobs

    def blob_path(self, sha: str) -> Path:
        return Path(self.blob_file(sha))

    def blob_file(self, sha: str) -> str:
        return f"{self._blobs}/{sha[:1]}/{sha[1:]}"

    def put(self, data: bytes) -> tuple[str, int]:
        """Store ``data`` (unless already there) and return (sha256, size)."""
        sha = hashlib.sha256(data).hexdigest()
        path = self._new_blob(sha)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            _mend(path, data)
            return sha, len(data)
        try:  # no file object: a build writes thousands of blobs
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        return sha, len(data)

    def _new_blob(self, sha: str) -> str:
        """The blob file of ``sha``, its shard folder made (once per process)."""
        blob = self.blob_file(sha)
        folder = os.path.dirname(blob)
        if folder not in self._made:
            os.makedirs(folder, exist_ok=True)
            self._made.add(folder)
        return blob

    def has(self, sha: str, size: int) -> bool:
        """Whether the blob ``sha`` is there with the expected size."""
        return size_of(self.blob_file(sha)) == size

    def prune_blobs(self, keep: Iterable[str]) -> int:
        """Delete blobs not in ``keep`` (hard links already published are unaffected)."""
        wanted = set(keep)
        count = 0
        for shard in listdir(self.blobs):
            for name in listdir(self.blobs / shard):
                if shard + name not in wanted and not name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        os.unlink(self.blobs / shard / name)
                        count += 1
        return count

    def blob_count(self) -> int:
        return sum(len(listdir(self.blobs / shard)) for shard in listdir(self.blobs))


# --------------------------------------------------------------------------- files


def file_identity(path: str | Path) -> tuple[int, int, int, int] | None:
    """Which file ``path`` is now: a rename over it, or a rewrite, changes this."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def _mend(blob: str, data: bytes) -> None:
    """Replace a blob that a killed build left truncated (its size tells) by a new file."""
    if size_of(blob) != len(data):
        write_atomic(Path(blob), data)


def size_of(path: Path | str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return -1


def listdir(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []
