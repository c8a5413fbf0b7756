"""Publishing is atomic: the previous output survives any failure."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from presssite.cache.manifest import intact
from presssite.cache.store import BuildCache
from presssite.errors import PresssiteError
from presssite.model import OutputFile
from presssite.output import inplace
from presssite.output import publish as output
from presssite.output.staging import Staging


def test_publish_writes_bytes_and_links_sources(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"jpeg")
    target = tmp_path / "build"
    stats = output.publish(
        [
            OutputFile("index.html", data=b"<p>hi</p>"),
            OutputFile("id/press/x/photos/a.jpg", source=source),
        ],
        target=target,
    )
    assert (target / "index.html").read_bytes() == b"<p>hi</p>"
    linked = target / "id/press/x/photos/a.jpg"
    assert linked.read_bytes() == b"jpeg"
    assert stats.files == 2 and stats.linked == 1


def test_publish_replaces_the_old_output_entirely(tmp_path: Path) -> None:
    target = tmp_path / "build"
    output.publish([OutputFile("old.html", data=b"old")], target=target)
    output.publish([OutputFile("new.html", data=b"new")], target=target)
    assert sorted(p.name for p in target.iterdir()) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no temp folders left


def test_a_failure_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    target = tmp_path / "build"
    output.publish([OutputFile("index.html", data=b"good")], target=target)

    def files():
        yield OutputFile("index.html", data=b"half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        output.publish(files(), target=target)
    assert (target / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_staged_page_replaced_or_dropped_before_the_publish_is_not_kept(
    tmp_path: Path,
) -> None:
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    staging = Staging(target)
    _stage(staging, {"a/index.html": b"first", "c/index.html": b"gone"}, blobs)
    pages = {"a/index.html": _blob(blobs, b"second")}
    done = output.publish([], target=target, pages=pages, blobs=blobs, staging=staging)
    assert (target / "a/index.html").read_bytes() == b"second"
    assert not (target / "c/index.html").exists()
    assert intact(target, done.manifest)


def test_pages_written_into_the_staging_folder_are_published_as_written(
    tmp_path: Path,
) -> None:
    # A render worker writes each page where it will be published: the one copy of its
    # bytes (no blob in the cache), which the publish swaps in without writing it again.
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    output.publish([OutputFile("old.html", data=b"old")], target=target)
    staging = Staging(target)
    sha, size, stat = staging.write("en/a/index.html", b"<p>a</p>", blobs)
    staged = staging.root / "en/a/index.html"
    assert staged.read_bytes() == b"<p>a</p>" and size == 8
    staging.record("en/a/index.html", sha, size, stat)
    assert not (target / "en").exists()  # the live output is untouched until the swap
    done = output.publish(
        [OutputFile("feed.xml", data=b"<feed/>")],
        target=target,
        pages={"en/a/index.html": sha, "en/b/index.html": _blob(blobs, b"b")},
        blobs=blobs,
        staging=staging,
    )
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["en/a/index.html", "en/b/index.html", "feed.xml"]
    assert (target / "en/a/index.html").read_bytes() == b"<p>a</p>"
    assert done.linked == 1 and done.bytes_written == len(b"<feed/>")  # the page not again
    assert done.mode == "swap" and intact(target, done.manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


def test_a_second_page_of_one_path_goes_to_the_cache_and_the_publish_picks(
    tmp_path: Path,
) -> None:
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    staging = Staging(target)
    _stage(staging, {"a/index.html": b"first"}, blobs)
    sha, size, stat = staging.write("a/index.html", b"second", blobs)
    output.publish([], target=target, pages={"a/index.html": sha}, blobs=blobs, staging=staging)
    assert (target / "a/index.html").read_bytes() == b"second"
    # The first page's bytes went with the staging folder: a publish that wants them
    # stops, before touching the output.
    with pytest.raises(PresssiteError, match="a/index.html") as caught:
        output.publish([], target=target, pages={"a/index.html": _sha(b"third")}, blobs=blobs)
    assert "build again" in caught.value.format()
    assert (target / "a/index.html").read_bytes() == b"second"  # untouched by the failure


def test_a_page_only_the_previous_output_holds_is_linked_from_there(tmp_path: Path) -> None:
    # After a cold build the output is the only copy of its pages: a later swap (most
    # pages changed) links the unchanged ones from it into the new folder.
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    old = {f"p{i}/index.html": f"<p>{i}</p>".encode() for i in range(150)}
    staging = Staging(target)
    shas = _stage(staging, old, blobs)
    first = output.publish([], target=target, pages=shas, blobs=blobs, staging=staging)
    staging = Staging(target)
    new = {rel: data + b" new" for rel, data in old.items() if rel != "p0/index.html"}
    pages = {**shas, **_stage(staging, new, blobs)}
    done = output.publish(
        [], target=target, pages=pages, blobs=blobs, previous=first.manifest, staging=staging
    )
    assert done.mode == "swap" and done.linked == 1
    assert (target / "p0/index.html").read_bytes() == b"<p>0</p>"
    assert all((target / r).read_bytes() == d for r, d in new.items())
    assert intact(target, done.manifest)


def test_a_page_linked_from_a_cache_on_another_disk_is_published_as_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    pages = {"a/index.html": _blob(blobs, b"<p>a</p>")}
    monkeypatch.setattr(os, "link", no_links)  # as when the cache is on another disk
    done = output.publish([], target=target, pages=pages, blobs=blobs)
    assert (target / "a/index.html").read_bytes() == b"<p>a</p>"
    assert done.copied == 1 and done.linked == 0
    monkeypatch.undo()
    again = output.publish([], target=target, pages=pages, blobs=blobs, previous=done.manifest)
    assert again.mode == "unchanged"  # the manifest knows the copy as published


def test_a_staging_folder_the_publish_does_not_need_is_discarded(tmp_path: Path) -> None:
    # Pages rendered anew (a template edited) may come out as they were: the publish then
    # finds the output current, or changes it in place, and leaves no staging folder.
    blobs, target, pages, first = _published(tmp_path, 3)
    shas = {r: _sha(d) for r, d in pages.items()}
    staging = Staging(target)
    _stage(staging, pages, blobs)
    same = output.publish(
        [], target=target, pages=shas, blobs=blobs, previous=first.manifest, staging=staging
    )
    assert (same.mode, same.changed) == ("unchanged", 0) and not staging.root.exists()
    staging = Staging(target)
    shas.update(_stage(staging, {"p0/index.html": b"<p>new</p>"}, blobs))
    done = output.publish(
        [], target=target, pages=shas, blobs=blobs, previous=first.manifest, staging=staging
    )
    assert done.mode == "in place" and done.changed == 1 and not staging.root.exists()
    assert (target / "p0/index.html").read_bytes() == b"<p>new</p>"  # linked from staging
    assert (target / "p1/index.html").read_bytes() == pages["p1/index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


def test_a_staging_folder_replaces_an_output_whose_pages_nearly_all_changed(
    tmp_path: Path,
) -> None:
    blobs, target, old, first = _published(tmp_path, 150)
    staging = Staging(target)
    new = _stage(staging, {rel: data + b" new" for rel, data in old.items()}, blobs)
    done = output.publish(
        [], target=target, pages=new, blobs=blobs, previous=first.manifest, staging=staging
    )
    assert done.mode == "swap" and done.linked == 0  # the staged pages, kept as written
    assert all((target / r).read_bytes() == d + b" new" for r, d in old.items())
    assert intact(target, done.manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


def _published(
    tmp_path: Path, count: int
) -> tuple[BuildCache, Path, dict[str, bytes], output.Published]:
    """``count`` pages published into ``build`` from the cache: the cache, the output
    folder, the pages (path -> bytes) and the publish."""
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    pages = {f"p{i}/index.html": f"<p>{i}</p>".encode() for i in range(count)}
    shas = {rel: _blob(blobs, data) for rel, data in pages.items()}
    return blobs, target, pages, output.publish([], target=target, pages=shas, blobs=blobs)


def _blob(blobs: BuildCache, data: bytes) -> str:
    """Put ``data`` in the cache: its hash, as ``publish`` takes pages."""
    return blobs.put(data)[0]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stage(staging: Staging, pages: dict[str, bytes], blobs: BuildCache) -> dict[str, str]:
    """Write and record ``pages`` as the render workers do: path -> hash."""
    shas = {}
    for rel, data in pages.items():
        sha, size, stat = staging.write(rel, data, blobs)
        assert stat is not None
        staging.record(rel, sha, size, stat)
        shas[rel] = sha
    return shas


def test_a_discarded_staging_leaves_the_previous_output_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "build"
    output.publish([OutputFile("index.html", data=b"good")], target=target)
    staging = Staging(target)
    staging.write("index.html", b"new", BuildCache(tmp_path / "cache"))
    staging.discard()  # e.g. --strict found a broken link after rendering
    assert (target / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no staging folder


def test_later_files_override_earlier_ones(tmp_path: Path) -> None:
    target = tmp_path / "build"
    output.publish(
        [
            OutputFile("static/style.css", data=b"theme"),
            OutputFile("static/style.css", data=b"site"),
        ],
        target=target,
    )
    assert (target / "static/style.css").read_bytes() == b"site"


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "a/../../b"], ids=str)
def test_paths_outside_the_output_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(PresssiteError):
        output.publish([OutputFile(path, data=b"x")], target=tmp_path / "build")
    assert not (tmp_path / "escape.html").exists()


def test_leftovers_of_an_interrupted_build_are_cleared(tmp_path: Path) -> None:
    (tmp_path / "build.tmp-dead").mkdir()
    (tmp_path / "build.old-dead").mkdir()
    output.publish([OutputFile("index.html", data=b"x")], target=tmp_path / "build")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_second_publish_touches_only_the_changed_files(tmp_path: Path) -> None:
    target = tmp_path / "build"
    first = output.publish(
        [
            OutputFile("a/index.html", data=b"a"),
            OutputFile("b/index.html", data=b"b"),
            OutputFile("gone/deep/index.html", data=b"old"),
        ],
        target=target,
    )
    assert first.mode == "swap"
    second = output.publish(
        [OutputFile("a/index.html", data=b"a"), OutputFile("b/index.html", data=b"B")],
        target=target,
        previous=first.manifest,
    )
    assert (second.mode, second.changed, second.removed) == ("in place", 1, 1)
    assert (target / "a/index.html").read_bytes() == b"a"
    assert (target / "b/index.html").read_bytes() == b"B"
    assert not (target / "gone").exists()  # the emptied folders went with the file
    assert not [p for p in target.rglob("*") if "presssite-tmp" in p.name]
    third = output.publish(
        [OutputFile("a/index.html", data=b"a"), OutputFile("b/index.html", data=b"B")],
        target=target,
        previous=second.manifest,
    )
    assert (third.mode, third.changed) == ("unchanged", 0)


def test_an_output_changed_by_hand_is_published_whole(tmp_path: Path) -> None:
    target = tmp_path / "build"
    files = [OutputFile("a/index.html", data=b"a"), OutputFile("b/index.html", data=b"b")]
    first = output.publish(files, target=target)
    (target / "a/index.html").write_bytes(b"edited")
    (target / "stray.txt").write_bytes(b"x")
    again = output.publish(files, target=target, previous=first.manifest)
    assert again.mode == "swap"
    assert (target / "a/index.html").read_bytes() == b"a"
    assert not (target / "stray.txt").exists()


def test_a_failed_in_place_publish_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "build"
    first = output.publish([OutputFile("a/index.html", data=b"a")], target=target)

    with pytest.raises(OSError):  # the second file's source vanished during the build
        output.publish(
            [
                OutputFile("a/index.html", data=b"new"),
                OutputFile("b/index.html", source=tmp_path / "vanished.html"),
            ],
            target=target,
            previous=first.manifest,
        )
    assert (target / "a/index.html").read_bytes() == b"a"
    assert sorted(p.name for p in target.rglob("*")) == ["a", "index.html"]


def test_update_writes_only_new_bytes_and_keeps_the_folder_intact(tmp_path: Path) -> None:
    target = tmp_path / "build"
    files = [OutputFile(f"p{i}/index.html", data=f"page {i}".encode()) for i in range(3)]
    first = output.publish(files, target=target)
    written, manifest = inplace.update(
        target,
        [
            OutputFile("p0/index.html", data=b"page 0"),  # the same bytes: left alone
            OutputFile("p1/index.html", data=b"page 1, edited"),
            OutputFile("new/index.html", data=b"new"),
        ],
        first.manifest,
    )
    assert written == 2
    assert (target / "p0/index.html").read_bytes() == b"page 0"
    assert (target / "p1/index.html").read_bytes() == b"page 1, edited"
    assert (target / "new/index.html").read_bytes() == b"new"
    assert not [p for p in target.rglob("*presssite-tmp")]
    assert intact(target, manifest) and not intact(target, first.manifest)
    # The next publish starts from that manifest: in place, not a whole new folder.
    again = output.publish(
        [*files[:1], OutputFile("p1/index.html", data=b"page 1, edited"), files[2]],
        target=target,
        previous=manifest,
    )
    assert again.mode == "in place" and again.removed == 1
    assert not (target / "new").exists()
