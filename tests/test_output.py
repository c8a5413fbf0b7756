"""Publishing is atomic: the previous output survives any failure."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from presssite import output
from presssite.buildcache import BuildCache, intact
from presssite.errors import PresssiteError
from presssite.model import OutputFile


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
    assert os.stat(linked).st_ino == os.stat(source).st_ino  # a hard link, no copy
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
    staging = output.Staging(target)
    for rel, data in (("a/index.html", b"first"), ("c/index.html", b"gone")):
        staging.record(rel, staging.write(rel, data, blobs)[2])
    links = {"a/index.html": _blob(blobs, b"second")}
    done = output.publish([], target=target, links=links, staging=staging)
    assert (target / "a/index.html").read_bytes() == b"second"
    assert not (target / "c/index.html").exists()
    assert intact(target, done.manifest)


def test_pages_written_into_the_staging_folder_are_their_cache_blobs(tmp_path: Path) -> None:
    # A render worker writes each page where it will be published and keeps its bytes
    # in the cache under the same inode: one file, stored once, published as it is.
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    output.publish([OutputFile("old.html", data=b"old")], target=target)
    staging = output.Staging(target)
    sha, size, ident, copied = staging.write("en/a/index.html", b"<p>a</p>", blobs)
    staged = staging.root / "en/a/index.html"
    assert staged.read_bytes() == b"<p>a</p>" and size == 8 and not copied
    assert os.stat(staged).st_ino == os.stat(blobs.blob_file(sha)).st_ino
    staging.record("en/a/index.html", ident)
    assert not (target / "en").exists()  # the live output is untouched until the swap
    done = output.publish(
        [OutputFile("feed.xml", data=b"<feed/>")],
        target=target,
        links={"en/a/index.html": blobs.blob_file(sha), "en/b/index.html": _blob(blobs, b"b")},
        staging=staging,
    )
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["en/a/index.html", "en/b/index.html", "feed.xml"]
    assert os.stat(target / "en/a/index.html").st_ino == os.stat(blobs.blob_file(sha)).st_ino
    assert done.linked == 2 and done.bytes_written == len(b"<feed/>")  # the page not again
    assert done.mode == "swap" and intact(target, done.manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


def test_a_staged_page_whose_bytes_the_cache_has_links_the_good_blob(tmp_path: Path) -> None:
    blobs = BuildCache(tmp_path / "cache")
    good, _ = blobs.put(b"same page")
    sha, _, ident, _ = output.Staging(tmp_path / "one").write("a.html", b"same page", blobs)
    assert sha == good and ident == output._identity(blobs.blob_file(good))
    # A blob left truncated by a killed build is replaced, and the page links the new one.
    truncated = Path(blobs.blob_file(blobs.put(b"x" * 100)[0]))
    truncated.unlink()
    truncated.write_bytes(b"x" * 10)
    staging = output.Staging(tmp_path / "two")
    sha, size, _, _ = staging.write("b/index.html", b"x" * 100, blobs)
    assert Path(blobs.blob_file(sha)).read_bytes() == b"x" * 100 and size == 100
    assert os.stat(staging.root / "b/index.html").st_ino == os.stat(blobs.blob_file(sha)).st_ino


def test_a_page_staged_beside_a_cache_on_another_disk_is_published_as_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    staging = output.Staging(target)
    monkeypatch.setattr(os, "link", no_links)  # as when the cache is on another disk
    sha, _, ident, copied = staging.write("a/index.html", b"<p>a</p>", blobs)
    assert copied and Path(blobs.blob_file(sha)).read_bytes() == b"<p>a</p>"
    staging.record("a/index.html", ident, copied)
    done = output.publish(
        [], target=target, links={"a/index.html": blobs.blob_file(sha)}, staging=staging
    )
    assert (target / "a/index.html").read_bytes() == b"<p>a</p>"
    assert done.copied == 1 and done.linked == 0
    monkeypatch.undo()
    again = output.publish(
        [], target=target, links={"a/index.html": blobs.blob_file(sha)}, previous=done.manifest
    )
    assert again.mode == "unchanged"  # the manifest knows the copy as published


def test_pages_go_into_a_staging_folder_when_a_swap_is_likely() -> None:
    assert output.will_swap(None, 1, 10)  # no manifest of the output: always a swap
    assert not output.will_swap({}, 100, 100_000)  # a few pages: in place
    assert not output.will_swap({}, 1_000, 10_000)  # a tenth of the files: in place
    assert output.will_swap({}, 1_001, 10_000)


def test_a_staging_folder_the_publish_does_not_need_is_discarded(tmp_path: Path) -> None:
    # Pages rendered anew (a template edited) may come out as they were: the publish then
    # finds the output current, or changes it in place, and leaves no staging folder.
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    pages = {f"p{i}/index.html": f"<p>{i}</p>".encode() for i in range(3)}
    first = output.publish([], target=target, links={r: _blob(blobs, d) for r, d in pages.items()})
    before = {r: os.stat(target / r).st_ino for r in pages}
    staging = output.Staging(target)
    for rel, data in pages.items():
        staging.record(rel, staging.write(rel, data, blobs)[2])
    links = {r: _blob(blobs, d) for r, d in pages.items()}
    same = output.publish([], target=target, links=links, previous=first.manifest, staging=staging)
    assert same.mode == "unchanged" and not staging.root.exists()
    assert {r: os.stat(target / r).st_ino for r in pages} == before
    staging = output.Staging(target)
    staging.record("p0/index.html", staging.write("p0/index.html", b"<p>new</p>", blobs)[2])
    links["p0/index.html"] = _blob(blobs, b"<p>new</p>")
    done = output.publish([], target=target, links=links, previous=first.manifest, staging=staging)
    assert done.mode == "in place" and done.changed == 1 and not staging.root.exists()
    assert (target / "p0/index.html").read_bytes() == b"<p>new</p>"
    assert os.stat(target / "p1/index.html").st_ino == before["p1/index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


def test_a_staging_folder_replaces_an_output_whose_pages_nearly_all_changed(
    tmp_path: Path,
) -> None:
    blobs = BuildCache(tmp_path / "cache")
    target = tmp_path / "build"
    old = {f"p{i}/index.html": f"<p>{i}</p>".encode() for i in range(150)}
    first = output.publish([], target=target, links={r: _blob(blobs, d) for r, d in old.items()})
    staging = output.Staging(target)
    new = {rel: data + b" new" for rel, data in old.items()}
    for rel, data in new.items():
        staging.record(rel, staging.write(rel, data, blobs)[2])
    links = {r: _blob(blobs, d) for r, d in new.items()}
    done = output.publish([], target=target, links=links, previous=first.manifest, staging=staging)
    assert done.mode == "swap" and done.linked == 150  # the staged pages, kept as written
    assert all((target / r).read_bytes() == d for r, d in new.items())
    assert intact(target, done.manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


def _blob(blobs: BuildCache, data: bytes) -> str:
    return blobs.blob_file(blobs.put(data)[0])


def test_a_discarded_staging_leaves_the_previous_output_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "build"
    output.publish([OutputFile("index.html", data=b"good")], target=target)
    staging = output.Staging(target)
    staging.write("index.html", b"new", BuildCache(tmp_path / "cache"))
    staging.discard()  # e.g. --strict found a broken link after rendering
    assert (target / "index.html").read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "cache"]


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
    a_inode = (target / "a/index.html").stat().st_ino
    second = output.publish(
        [OutputFile("a/index.html", data=b"a"), OutputFile("b/index.html", data=b"B")],
        target=target,
        previous=first.manifest,
    )
    assert (second.mode, second.changed, second.removed) == ("in place", 1, 1)
    assert (target / "a/index.html").stat().st_ino == a_inode  # untouched
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
    kept = os.stat(target / "p0/index.html").st_ino
    written, manifest = output.update(
        target,
        [
            OutputFile("p0/index.html", data=b"page 0"),  # the same bytes: left alone
            OutputFile("p1/index.html", data=b"page 1, edited"),
            OutputFile("new/index.html", data=b"new"),
        ],
        first.manifest,
    )
    assert written == 2
    assert os.stat(target / "p0/index.html").st_ino == kept
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
