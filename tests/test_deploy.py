"""``presssite deploy`` against real git repositories in a temp folder (no mocks of git).

The site repository's ``origin`` is a GitHub URL that git rewrites (``url.insteadOf``) to a
bare repository beside it, so deploys really push while the Pages-address check still sees
``https://github.com/newsroom/portal.git``.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_photo, make_site, run_cli

from presssite import __version__, deploy

GITHUB_URL = "https://github.com/newsroom/portal.git"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.org",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.org",
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
    return done.stdout.strip()


def release(title: str, date: str = "2026-01-05T09:00:00+07:00") -> str:
    return f"""---
title: {title}
date: {date}
summary: A summary of {title}.
tags: [diplomacy]
photos:
  - src: photos/01.jpg
    caption: The minister at the conference.
    credit: Bao Chi
---

The body of {title}.
"""


def settings_toml(base_url: str, cname: str | None = None) -> str:
    extra = f'cname = "{cname}"\n' if cname else ""
    return f"""\
title = {{ id = "Portal Uji", en = "Test Portal" }}
base_url = "{base_url}"
default_locale = "id"
locales = ["id", "en"]
timezone = "Asia/Jakarta"
{extra}"""


@pytest.fixture(autouse=True)
def _git_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Keep the user's git configuration out; give every git process an identity."""
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield


def make_repo(
    tmp_path: Path,
    *,
    base_url: str = "https://newsroom.github.io/portal/",
    cname: str | None = None,
) -> tuple[Path, Path]:
    """A committed fixture site with origin = GITHUB_URL (really a bare repo); (site, bare)."""
    site = make_site(
        tmp_path,
        {
            "content/press/2026-01-05-summit/index.id.md": release("KTT Asia"),
            "content/press/2026-01-05-summit/index.en.md": release("Asia Summit"),
            ".gitignore": "/build/\n.presssite-cache/\n",
            "NOTES.txt": "notes\n",
        },
        settings=settings_toml(base_url, cname),
    )
    make_photo(site / "content/press/2026-01-05-summit/photos/01.jpg", size=(640, 420))
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(bare))
    git(site, "init", "--quiet", "-b", "main")
    git(site, "config", "user.name", "Site Editor")
    git(site, "config", "user.email", "editor@example.org")
    git(site, "config", f"url.{bare}.insteadOf", GITHUB_URL)
    git(site, "remote", "add", "origin", GITHUB_URL)
    git(site, "add", "-A")
    git(site, "commit", "--quiet", "-m", "First release")
    git(site, "push", "--quiet", "origin", "main")
    return site, bare


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(folder).parts
    }


def published(bare: Path, tmp_path: Path, name: str = "clone") -> dict[str, bytes]:
    """The files on origin's gh-pages, read from a fresh clone of that branch."""
    clone = tmp_path / name
    git(tmp_path, "clone", "--quiet", "--branch", "gh-pages", "--single-branch", str(bare), name)
    return files_of(clone)


def pages_log(bare: Path) -> list[str]:
    return git(bare, "log", "--format=%H", "gh-pages").split()


def user_state(site: Path) -> dict[str, str]:
    """Everything of the user's that a deploy must leave alone."""
    return {
        "head": git(site, "rev-parse", "HEAD"),
        "branch": git(site, "symbolic-ref", "HEAD"),
        "status": git(site, "status", "--porcelain"),
        "staged": git(site, "diff", "--cached"),
        "unstaged": git(site, "diff"),
        "stash": git(site, "stash", "list"),
        "main": git(site, "rev-parse", "refs/heads/main"),
    }


# --------------------------------------------------------------------------- publishing


def test_deploy_publishes_build_nojekyll_and_cname_as_one_commit(tmp_path: Path) -> None:
    site, bare = make_repo(
        tmp_path, base_url="https://press.example.org/", cname="press.example.org"
    )
    # The user is mid-work: a stash, a staged change and an unstaged one.
    (site / "NOTES.txt").write_text("stashed\n")
    git(site, "stash", "--quiet")
    (site / "NOTES.txt").write_text("staged\n")
    git(site, "add", "NOTES.txt")
    (site / "NOTES.txt").write_text("unstaged\n")
    (site / "scratch.txt").write_text("untracked\n")
    source = git(site, "rev-parse", "HEAD")
    before = user_state(site)

    result = run_cli("deploy", "--site", site)

    assert result.returncode == 0, result.stderr
    assert user_state(site) == before
    assert (site / "NOTES.txt").read_text() == "unstaged\n"
    expected = files_of(site / "build")
    assert "id/press/summit/index.html" in expected
    expected[".nojekyll"] = b""
    expected["CNAME"] = b"press.example.org"
    assert published(bare, tmp_path) == expected
    assert len(pages_log(bare)) == 1
    message = git(bare, "log", "-1", "--format=%B", "gh-pages")
    assert message.splitlines()[0] == f"Deploy {source} with presssite {__version__}"
    assert "Deployed" in result.stdout
    assert "uncommitted changes" in result.stderr  # NOTES.txt differs from HEAD


def test_no_change_no_commit_then_one_commit_per_change(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    assert run_cli("deploy", "--site", site).returncode == 0
    first = pages_log(bare)

    again = run_cli("deploy", "--site", site)
    assert again.returncode == 0, again.stderr
    assert "No change" in again.stdout
    assert pages_log(bare) == first
    assert git(site, "rev-parse", "refs/heads/gh-pages") == first[0]

    page = site / "content/press/2026-01-05-summit/index.en.md"
    page.write_text(release("Asia Summit Opens"), encoding="utf-8")
    git(site, "commit", "--quiet", "-am", "Retitle")
    changed = run_cli("deploy", "--site", site, "--message", "Publish {sha}")
    assert changed.returncode == 0, changed.stderr

    history = pages_log(bare)
    assert len(history) == 2 and history[1] == first[0]
    assert git(bare, "log", "-1", "--format=%s", "gh-pages") == (
        f"Publish {git(site, 'rev-parse', 'HEAD')}"
    )
    html = published(bare, tmp_path)["en/press/summit/index.html"].decode()
    assert "Asia Summit Opens" in html


def test_deploy_from_another_clone_is_built_upon(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    assert run_cli("deploy", "--site", site).returncode == 0
    # A colleague's deploy from another clone lands on top of ours: still a fast-forward.
    other = tmp_path / "colleague"
    git(tmp_path, "clone", "--quiet", "--branch", "gh-pages", str(bare), "colleague")
    (other / "extra.html").write_text("<p>extra</p>")
    git(other, "add", "extra.html")
    git(other, "commit", "--quiet", "-m", "Colleague's deploy")
    git(other, "push", "--quiet", "origin", "gh-pages")
    theirs = pages_log(bare)[0]

    result = run_cli("deploy", "--site", site)

    assert result.returncode == 0, result.stderr
    history = pages_log(bare)
    assert history[1] == theirs and len(history) == 3
    assert "extra.html" not in published(bare, tmp_path)  # the build replaces every file


def test_non_fast_forward_is_refused_unless_forced(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    assert run_cli("deploy", "--site", site).returncode == 0
    ours = pages_log(bare)[0]
    # Someone rewrites origin's gh-pages with a commit that does not descend from ours.
    other = tmp_path / "rogue"
    git(tmp_path, "init", "--quiet", "-b", "gh-pages", "rogue")
    (other / "index.html").write_text("<p>hand-made</p>")
    git(other, "add", "index.html")
    git(other, "commit", "--quiet", "-m", "Hand-made page")
    git(other, "push", "--quiet", "--force", str(bare), "gh-pages")
    rogue = pages_log(bare)[0]
    (site / "content/press/2026-01-05-summit/index.en.md").write_text(
        release("Asia Summit Closes"), encoding="utf-8"
    )
    git(site, "commit", "--quiet", "-am", "Retitle")

    refused = run_cli("deploy", "--site", site)

    assert refused.returncode == 1
    assert "fast-forward" in refused.stderr and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert pages_log(bare) == [rogue]
    assert git(site, "rev-parse", "refs/heads/gh-pages") == ours  # local branch as it was

    forced = run_cli("deploy", "--site", site, "--force")

    assert forced.returncode == 0, forced.stderr
    history = pages_log(bare)
    assert rogue not in history and history[1] == ours
    files = published(bare, tmp_path)
    assert "Asia Summit Closes" in files["en/press/summit/index.html"].decode()


# --------------------------------------------------------------------------- refusals


def test_missing_remote_is_refused(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    result = run_cli("deploy", "--site", site, "--remote", "upstream")
    assert result.returncode == 1
    assert "no remote named 'upstream'" in result.stderr
    assert "origin" in result.stderr  # the remotes that do exist are named
    assert not (site / "build").exists()
    assert git(site, "for-each-ref", "refs/heads/gh-pages") == ""


def test_folder_outside_git_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/press/2026-01-05-x/index.id.md": release("X")})
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 1
    assert "not in a git repository" in result.stderr


def test_failed_build_publishes_nothing(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    broken = site / "content/press/2026-01-05-summit/index.en.md"
    broken.write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    git(site, "commit", "--quiet", "-am", "Break it")

    result = run_cli("deploy", "--site", site)

    assert result.returncode == 1
    assert "index.en.md" in result.stderr
    assert "the build failed; nothing was published" in result.stderr
    assert git(bare, "for-each-ref", "refs/heads/gh-pages") == ""
    assert git(site, "for-each-ref", "refs/heads/gh-pages", "refs/presssite") == ""


def test_checked_out_target_branch_is_refused(tmp_path: Path) -> None:
    site, _ = make_repo(tmp_path)
    git(site, "switch", "--quiet", "-c", "gh-pages")
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 1
    assert "checked out" in result.stderr


def test_dry_run_says_what_and_changes_nothing(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    refs = git(site, "for-each-ref")
    origin_refs = git(bare, "for-each-ref")
    source = git(site, "rev-parse", "HEAD")

    result = run_cli("deploy", "--site", site, "--dry-run")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Dry run" in out and source in out
    assert "origin/gh-pages" in out and GITHUB_URL in out
    files = int(out.split("would publish: ")[1].split()[0])
    assert files > 10  # pages, feeds, photos and static files of the fixture site
    assert not (site / "build").exists()
    assert git(site, "for-each-ref") == refs
    assert git(bare, "for-each-ref") == origin_refs


def test_base_url_not_matching_pages_address_warns(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path, base_url="https://example.org/portal/")
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 0, result.stderr  # a warning: custom domains exist
    assert "warning: base_url https://example.org/portal/" in result.stderr
    assert "https://newsroom.github.io/portal/" in result.stderr
    assert len(pages_log(bare)) == 1


def test_matching_base_url_gives_no_warning(tmp_path: Path) -> None:
    site, _ = make_repo(tmp_path)
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


def test_no_build_publishes_existing_output(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    missing = run_cli("deploy", "--site", site, "--no-build")
    assert missing.returncode == 1 and "no build to publish" in missing.stderr
    assert run_cli("build", "--site", site).returncode == 0
    (site / "build" / "marker.txt").write_text("kept")
    result = run_cli("deploy", "--site", site, "--no-build")
    assert result.returncode == 0, result.stderr
    assert published(bare, tmp_path)["marker.txt"] == b"kept"


# --------------------------------------------------------------------------- previews

MARKER = ".presssite-preview.json"
SECRET = "content/press/2026-01-20-secret/index.en.md"


def hidden_release(site: Path, **extra: str) -> None:
    """Add a release the public must not see yet, and commit it."""
    lines = "".join(f"{k}: {v}\n" for k, v in extra.items())
    path = site / SECRET
    path.parent.mkdir(parents=True)
    path.write_text(
        f"---\ntitle: Secret Accord\ndate: 2026-01-20T09:00:00+07:00\n{lines}---\n\nSecret.\n",
        encoding="utf-8",
    )
    git(site, "add", "-A")
    git(site, "commit", "--quiet", "-m", "A hidden release")


PREVIEWS = {
    "drafts": ({"draft": "true"}, ["--drafts"], "drafts shown (--drafts)"),
    "future-clock": (
        {"embargo": "2099-01-01T09:00:00+07:00"},
        ["--now", "2099-01-02T00:00:00+07:00"],
        "built with --now 2099-01-02T00:00:00+07:00, ahead of the real clock",
    ),
}


@pytest.mark.parametrize("kind", PREVIEWS)
def test_no_build_refuses_a_preview_unless_forced(tmp_path: Path, kind: str) -> None:
    fields, flags, reason = PREVIEWS[kind]
    site, bare = make_repo(tmp_path)
    hidden_release(site, **fields)
    assert run_cli("build", "--site", site, *flags).returncode == 0
    assert (site / "build/en/press/secret/index.html").is_file()  # the preview shows it

    refused = run_cli("deploy", "--site", site, "--no-build")
    assert refused.returncode == 1
    assert f"the output is a preview ({reason})" in refused.stderr
    assert "nothing was published" in refused.stderr
    assert git(bare, "branch", "--list", "gh-pages") == ""
    dry = run_cli("deploy", "--site", site, "--no-build", "--dry-run")
    assert dry.returncode == 1 and "preview" in dry.stderr

    forced = run_cli("deploy", "--site", site, "--no-build", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "warning: the output is a preview" in forced.stderr
    assert "published anyway (--force)" in forced.stderr
    assert "en/press/secret/index.html" in published(bare, tmp_path)


def test_a_public_build_removes_the_preview_mark(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    hidden_release(site, draft="true")
    assert run_cli("build", "--site", site, "--drafts").returncode == 0
    assert (site / "build" / MARKER).is_file()
    assert run_cli("build", "--site", site).returncode == 0
    assert not (site / "build" / MARKER).exists()
    result = run_cli("deploy", "--site", site, "--no-build")
    assert result.returncode == 0, result.stderr
    assert "en/press/secret/index.html" not in published(bare, tmp_path)


def test_a_clock_in_the_past_is_no_preview(tmp_path: Path) -> None:
    site, _ = make_repo(tmp_path)
    assert run_cli("build", "--site", site, "--now", "2026-02-01T00:00:00+07:00").returncode == 0
    assert not (site / "build" / MARKER).exists()


def test_deploy_builds_the_public_site_at_the_real_clock(tmp_path: Path) -> None:
    site, bare = make_repo(tmp_path)
    hidden_release(site, embargo="2099-01-01T09:00:00+07:00")
    assert run_cli("build", "--site", site, "--now", "2099-01-02T00:00:00+07:00").returncode == 0
    assert (site / "build" / MARKER).is_file()
    result = run_cli("deploy", "--site", site)
    assert result.returncode == 0, result.stderr
    files = published(bare, tmp_path)
    assert "en/press/secret/index.html" not in files
    assert MARKER not in files
    assert not (site / "build" / MARKER).exists()


# --------------------------------------------------------------------------- pure policy


@pytest.mark.parametrize(
    ("remote", "address"),
    [
        ("https://github.com/newsroom/portal.git", "https://newsroom.github.io/portal/"),
        ("https://github.com/newsroom/portal", "https://newsroom.github.io/portal/"),
        ("git@github.com:NewsRoom/portal.git", "https://newsroom.github.io/portal/"),
        ("ssh://git@github.com/newsroom/portal.git", "https://newsroom.github.io/portal/"),
        ("https://token@github.com/newsroom/site.v2.git", "https://newsroom.github.io/site.v2/"),
        ("https://github.com/newsroom/newsroom.github.io.git", "https://newsroom.github.io/"),
        ("git@github.com:Newsroom/newsroom.github.io", "https://newsroom.github.io/"),
        ("https://gitlab.com/newsroom/portal.git", None),
        ("/srv/git/portal.git", None),
    ],
    ids=[
        "https",
        "no-suffix",
        "scp",
        "ssh",
        "token",
        "user-site",
        "user-site-scp",
        "gitlab",
        "path",
    ],
)
def test_pages_address(remote: str, address: str | None) -> None:
    assert deploy.pages_address(remote) == address


@pytest.mark.parametrize(
    ("base_url", "cname", "warns"),
    [
        ("https://newsroom.github.io/portal/", None, False),
        ("https://NewsRoom.github.io/portal", None, False),
        ("https://newsroom.github.io/", None, True),
        ("https://press.example.org/", None, True),
        ("https://press.example.org/", "press.example.org", False),
        ("https://newsroom.github.io/portal/", "press.example.org", True),
    ],
    ids=["match", "case-and-slash", "root", "custom-no-cname", "cname", "cname-mismatch"],
)
def test_base_url_warning(base_url: str, cname: str | None, warns: bool) -> None:
    warning = deploy.base_url_warning(base_url, GITHUB_URL, cname)
    assert (warning is not None) == warns


def test_custom_message_still_names_the_source() -> None:
    assert deploy.commit_message(None, "abc") == f"Deploy abc with presssite {__version__}"
    assert deploy.commit_message("Site update", "abc") == "Site update\n\nSource commit: abc"
