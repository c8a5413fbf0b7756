"""The commit history of the content folder: when each file was last and first committed.

A translation without ``updated:`` is compared with its original by these times
(``site.translations``). They come from ``git log --name-only`` over ``content/``: one
process, not one per file. That log costs with every commit and every entry of the
folders a commit changes: a flat ``content/press/`` of 10,000 bundles, one commit each,
took some 20 seconds. So the history is kept by HEAD (the caller's ``cache``: the build
cache keeps it), and a later HEAD that descends from the kept one reads only the commits
since (``git log KEPT..HEAD``), as a deploy after one new release does.

A shallow clone (``actions/checkout``'s default) has no history to read: its last
commit seems to add every file. It is said, and nothing is compared.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from presssite import gitquery

log = logging.getLogger(__name__)

SHALLOW = (
    "%s is in a shallow clone of its repository (its history is cut short): translations "
    "without an `updated:` date are not compared, and none is marked outdated. Clone the "
    "whole history (in GitHub Actions, actions/checkout with fetch-depth: 0, as the "
    "workflow `presssite init` writes), or give the translations `updated:` dates"
)
_LOG = ("--format=%x00%ct", "--name-only", "--relative", "--no-renames")

History = Mapping[str, "FileHistory"]  # absolute path (text) -> its commits


@dataclass(frozen=True)
class FileHistory:
    """When git last and first saw a file change."""

    last: datetime  # the newest commit touching the file (aware, UTC)
    first: datetime  # the oldest


def _both(seen: FileHistory | None, more: FileHistory) -> FileHistory:
    """A file's history from two reads of it: the newest commit of both, and the oldest
    (a clock set wrong can list commits out of order)."""
    if seen is None:
        return more
    return FileHistory(last=max(seen.last, more.last), first=min(seen.first, more.first))


def checkout(root: Path) -> tuple[str | None, bool]:
    """The commit checked out in the repository holding ``root`` (None when not in git)
    and whether the clone is shallow, in one call."""
    answer = (gitquery.output(root, "rev-parse", "--is-shallow-repository", "HEAD") or "").split()
    if len(answer) != 2:
        return None, False
    return answer[1], answer[0] == "true"


def commit_history(
    root: Path,
    folder: Path,
    *,
    cache: MutableMapping[str, History] | None = None,
) -> History:
    """Last and first commit times of every file under ``folder``, by absolute path (as
    text: a history of 100,000 files is kept in the build cache, and paths as ``Path``
    objects made loading and saving it cost a second on every new commit).

    An empty mapping when ``root`` is not in a git repository (or git is missing), or in
    a shallow clone. With ``cache``, the result is kept by HEAD (and folder): a rebuild
    without a new commit reads nothing, one after new commits reads only them.
    """
    head, shallow = checkout(root)
    if shallow:
        log.warning(SHALLOW, root)
        return {}
    key = f"{head}:{folder}"
    if cache is not None and head is not None and key in cache:
        return cache[key]
    try:
        pathspec = folder.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return {}
    base = root.resolve()
    found = None
    if cache is not None and head is not None:
        found = _since_kept(root, base, pathspec, cache, head, folder)
    if found is None:
        found = _parse_log(gitquery.output(root, "log", *_LOG, "--", pathspec) or "", base)
    if cache is not None and head is not None:
        cache.clear()  # only the current HEAD is worth keeping
        cache[key] = found
    return found


def _since_kept(
    root: Path,
    base: Path,
    pathspec: str,
    cache: Mapping[str, History],
    head: str,
    folder: Path,
) -> dict[str, FileHistory] | None:
    """The kept history brought up to ``head`` with the commits since, when ``head``
    descends from the commit it was kept for; None when it does not (history rewritten)."""
    for kept_key, kept in cache.items():
        commit, _, where = kept_key.partition(":")
        if where != str(folder) or not commit:
            continue
        if gitquery.output(root, "merge-base", "--is-ancestor", commit, head) is None:
            return None  # not an ancestor (or unknown to this clone): read it all
        since = gitquery.output(root, "log", *_LOG, f"{commit}..{head}", "--", pathspec)
        if since is None:
            return None
        return merged(kept, _parse_log(since, base))
    return None


def merged(kept: History, since: History) -> dict[str, FileHistory]:
    """A history with the commits of another: each file's newest and oldest of both."""
    out = dict(kept)
    for path, new in since.items():
        out[path] = _both(out.get(path), new)
    return out


def _parse_log(text: str, root: Path) -> dict[str, FileHistory]:
    """Read ``git log --format=%x00%ct --name-only`` output: each file's newest and oldest
    commit time (commits come newest first, but a clock set wrong can break that order).

    The paths are ``root`` (resolved) joined with what git names, which never passes
    through a symbolic link (git does not follow them): real paths, without asking the
    file system for each of thousands."""
    found: dict[str, FileHistory] = {}
    when: datetime | None = None
    base = str(root)
    for line in text.splitlines():
        if line.startswith("\x00"):
            when = datetime.fromtimestamp(int(line[1:].strip() or 0), tz=UTC)
            continue
        if not line or when is None:
            continue
        path = os.path.normpath(os.path.join(base, line))  # as str(Path(root, line))
        found[path] = _both(found.get(path), FileHistory(last=when, first=when))
    return found
