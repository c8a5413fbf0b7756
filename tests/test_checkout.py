"""A build in a fresh git checkout, as a CI workflow runs it: every file has a new
modification time, and git, not a read of every file, tells which kept their bytes.

Real git repositories in temporary folders; the build cache and the output are restored
beside the checkout as the Pages workflow restores them.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from factories import release
from test_buildcache import fixture_site, run, tree

from presssite.cache import gittracked

NEW = "content/press/2026-01-09-release-9/index.id.md"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def committed_site(tmp_path: Path) -> Path:
    """The cache's fixture site with forty more releases, committed to a new repository."""
    root = fixture_site(tmp_path)
    for n in range(1, 41):
        path = root / f"content/press/2025-06-{n % 28 + 1:02d}-more-{n}/index.id.md"
        path.parent.mkdir(parents=True)
        path.write_text(release(f"Lagi {n}", f"2025-06-{n % 28 + 1:02d}T09:{n:02d}:00+07:00"))
    (root / ".gitignore").write_text("/build/\n/.presssite-cache/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "site")
    return root


def checkout(root: Path) -> None:
    """``root`` as a CI runner has it: cloned anew at the same place, then the cache and
    the output restored from the last run (as ``tar`` restores them)."""
    aside = root.with_name("aside")
    root.rename(aside)
    git(root.parent, "clone", "-q", str(aside), str(root))
    for kept in ("build", ".presssite-cache"):
        shutil.copytree(aside / kept, root / kept, copy_function=shutil.copy2)
    shutil.rmtree(aside)


def opened(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """The files below ``folder`` opened from now on, in order."""
    found: list[str] = []
    real_open = io.open

    def counting(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, os.PathLike)) and str(file).startswith(str(folder)):
            found.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(io, "open", counting)
    monkeypatch.setattr(builtins, "open", counting)
    return found


def test_a_checkout_reads_only_the_files_git_does_not_know_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one new release is committed, the build in a fresh checkout opens that
    release alone of the whole content folder: no other document, and no photo (neither
    hashed, nor probed, nor sent to a worker), and it publishes what a build without any
    cache makes."""
    root = committed_site(tmp_path)
    run(root, root / "build")
    checkout(root)
    (root / NEW).parent.mkdir()
    (root / NEW).write_text(release("Rilis 9", "2026-01-09T09:00:00+07:00", tags="[ekonomi]"))
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "one new release")
    reads = opened(monkeypatch, root / "content")
    report = run(root, root / "build")
    monkeypatch.undo()
    assert report.documents_parsed == 1 and report.documents_reused > 50
    assert report.images_processed == 0 and report.images_cached == 2
    assert set(reads) == {str(root / NEW)}  # hashed, then parsed
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")
    checkout(root)  # the next deploy, with nothing new: not even the new release is read
    reads = opened(monkeypatch, root / "content")
    assert run(root, root / "build").unchanged and reads == []


def test_an_edit_not_committed_in_a_checkout_is_read(tmp_path: Path) -> None:
    """Git vouches only for files as it checked them out: an edit of the same size, not
    committed, is read and published."""
    root = committed_site(tmp_path)
    run(root, root / "build")
    checkout(root)
    edited = root / "content/press/2025-06-02-more-1/index.id.md"
    text = edited.read_text()
    edited.write_text(text.replace("Lagi 1", "Baru 1"))  # as many bytes
    report = run(root, root / "build")
    assert report.documents_parsed == 1
    assert "Baru 1" in (root / "build/id/press/more-1/index.html").read_text()
    run(root, tmp_path / "fresh", cache=False)
    assert tree(root / "build") == tree(tmp_path / "fresh")


def test_git_vouches_only_for_files_it_checks(tmp_path: Path) -> None:
    """Modified files, files git is told to assume unchanged, symlinks and untracked
    files have no blob id; outside a work tree no file has one."""
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    for name in ("kept.md", "edited.md", "assumed.md", "sub/deep.md"):
        (root / name).write_text(f"{name}\n")
    (root / "link.md").symlink_to("kept.md")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    git(root, "update-index", "--assume-unchanged", "assumed.md")
    (root / "edited.md").write_text("edited.md, changed\n")
    (root / "untracked.md").write_text("new\n")
    found = gittracked.clean_blobs(str(root))
    assert found == {
        str(root / "kept.md"): git(root, "hash-object", "kept.md").strip(),
        str(root / "sub/deep.md"): git(root, "hash-object", "sub/deep.md").strip(),
    }
    assert gittracked.clean_blobs(str(root / "sub")) == {
        str(root / "sub/deep.md"): found[str(root / "sub/deep.md")]
    }
    (tmp_path / "plain").mkdir()
    assert gittracked.clean_blobs(str(tmp_path / "plain")) == {}
