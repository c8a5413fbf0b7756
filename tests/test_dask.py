"""Photos on a dask.distributed cluster: the same thumbnails as the local pool, same caching.

The cluster is a ``LocalCluster`` on loopback whose worker runs in this test process, so
its thumbnails land in the site's image cache exactly as a cluster on a shared file
system would write them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import make_photo, make_site, missing_tool, run_cli

from presssite import build as build_
from presssite import settings as settings_
from presssite.errors import UsageError
from presssite.images import executors

NOW = datetime.fromisoformat("2026-01-31T12:00:00+07:00")
RELEASE = """---
title: Rilis dengan foto
date: 2026-01-10T09:00:00+07:00
photos:
  - src: photos/01.jpg
    caption: Wakil menteri berbicara.
    credit: Bao Chi
  - src: photos/02.png
    caption: Infografik.
---

Isi.
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    try:
        from distributed import LocalCluster
    except ImportError:
        missing_tool("dask.distributed is not installed (pip install 'presssite[dask]')")
    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        host="127.0.0.1",
        protocol="tcp://",
        dashboard_address=None,
    ) as running:
        yield running


def photo_site(tmp_path: Path, name: str) -> Path:
    root = make_site(tmp_path / name, {"content/press/2026-01-10-foto/index.id.md": RELEASE})
    bundle = root / "content/press/2026-01-10-foto"
    make_photo(bundle / "photos/01.jpg", (1800, 1200), exif={0x0112: 6})
    make_photo(bundle / "photos/02.png", (900, 600), color=(200, 60, 60), fmt="PNG")
    return root


def images(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.suffix in (".jpg", ".jpeg", ".webp", ".png")
    }


def address(cluster: Any) -> str:
    return "dask://" + cluster.scheduler_address.removeprefix("tcp://")


def test_the_cluster_makes_the_local_pools_thumbnails(tmp_path: Path, cluster: Any) -> None:
    local_root = photo_site(tmp_path, "local")
    local = build_.build(settings_.load(local_root), target=local_root / "build", now=NOW, jobs=2)
    dask_root = photo_site(tmp_path, "dask")
    settings = settings_.load(dask_root)
    settings = replace(settings, images=replace(settings.images, executor=address(cluster)))

    first = build_.build(settings, target=dask_root / "build", now=NOW)

    assert first.images_processed == local.images_processed == 2
    made = images(dask_root / "build")
    assert made and made == images(local_root / "build")
    # The image cache still decides: built again (without the build cache, so the image
    # stage runs), nothing is sent to the cluster.
    again = build_.build(settings, target=tmp_path / "again", now=NOW, cache=False)
    assert (again.images_processed, again.images_cached) == (0, 2)
    assert images(tmp_path / "again") == made


def test_the_command_line_takes_a_dask_scheduler(tmp_path: Path, cluster: Any) -> None:
    root = photo_site(tmp_path, "cli")
    result = run_cli("build", "--site", root, "--executor", address(cluster), "--timings")
    assert result.returncode == 0, result.stderr
    assert "images processed 2, cached 0" in result.stdout
    shutil.rmtree(root / ".presssite-cache" / "build")
    local = run_cli("build", "--site", root, "--out", tmp_path / "local", "--executor", "local")
    assert local.returncode == 0, local.stderr
    assert "(0 processed, 2 from cache)" in local.stdout  # the cluster made them
    assert images(root / "build") == images(tmp_path / "local")


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("local", None),
        ("dask://10.0.0.5:8786", "tcp://10.0.0.5:8786"),
        ("tls://scheduler:8786", "tls://scheduler:8786"),
    ],
    ids=["local", "dask", "tls"],
)
def test_executor_names(value: str, address: str | None) -> None:
    assert executors.parse(value) == address


def test_an_unknown_executor_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        executors.parse("spark://x")
    root = photo_site(tmp_path, "bad")
    result = run_cli("build", "--site", root, "--executor", "spark://x")
    assert result.returncode == 2
    assert "unknown executor" in result.stderr


def test_the_executor_setting_is_checked(tmp_path: Path) -> None:
    root = make_site(tmp_path, {}, settings=None)
    toml = (root / "presssite.toml").read_text() + '[images]\nexecutor = "dask://h:8786"\n'
    (root / "presssite.toml").write_text(toml)
    assert settings_.load(root).images.executor == "dask://h:8786"
    (root / "presssite.toml").write_text(toml.replace("dask://h:8786", "h:8786"))
    with pytest.raises(Exception, match="not an executor"):
        settings_.load(root)
