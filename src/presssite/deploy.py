"""``presssite deploy``: publish the built site to a branch (``gh-pages``) of a git remote.

The branch work is ghp-import's (as in MkDocs): it writes the output folder as one commit
with ``git fast-import``, so the user's working tree, index, stash and current branch are
never touched. Around it this module does what ghp-import leaves to its caller:

* checks first, pushes last: no remote, a checked-out target branch, a remote branch that
  is not a fast-forward of what we would push (unless ``force``) or a failed build all stop
  the deploy before anything is written;
* one commit per real change: when the new commit's tree equals its parent's, the branch
  is set back and nothing is pushed;
* a failed push leaves the local branch where it was.

The remote branch is fetched into a private ref (``refs/presssite/...``, removed at the
end) so the user's remote-tracking refs only move when a push succeeds.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from presssite import __version__
from presssite.errors import DeployError, ErrorList, PresssiteError, flatten
from presssite.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MESSAGE = "Deploy {sha} with presssite {version}"
_PRIVATE_REFS = "refs/presssite"
_GITHUB_URL = re.compile(
    r"""^(?:
        (?:https?|git|ssh)://(?:[^@/]+@)?github\.com(?::\d+)?/   # https://, ssh://git@
        |[^@/:]+@github\.com:                                    # git@github.com:
    )(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?/?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class DeployPlan:
    """What a deploy publishes, where, and from which source commit (known before writing)."""

    remote: str  # the remote's name, e.g. "origin"
    remote_url: str  # its URL as configured (before any insteadOf rewriting)
    branch: str  # the branch written, e.g. "gh-pages"
    source_commit: str  # full SHA of the site repository's HEAD
    message: str  # the deploy commit's message
    output: Path  # the folder published (build/, or a temporary one for a dry run)
    files: int  # files in the output, not counting .nojekyll and CNAME
    cname: str | None  # written as CNAME when set
    remote_tip: str | None  # the remote branch's commit before the deploy
    replaces_history: bool  # the remote branch diverged and ``force`` replaces it
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did: ``commit`` is None when the remote already had this site."""

    plan: DeployPlan
    commit: str | None  # the new commit on the branch
    pushed: bool
    dry_run: bool


# --------------------------------------------------------------------------- pure policy


def pages_address(remote_url: str) -> str | None:
    """The GitHub Pages address a GitHub remote publishes to, None for other hosts.

    A repository named ``<owner>.github.io`` is the owner's user site, served at the root;
    any other repository is a project site, served under ``/<repo>/``.
    """
    match = _GITHUB_URL.match(remote_url.strip())
    if match is None:
        return None
    owner, repo = match["owner"].lower(), match["repo"]
    if repo.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{repo}/"


def base_url_warning(base_url: str, remote_url: str, cname: str | None) -> str | None:
    """A warning when ``base_url`` is not where the published site will be served.

    Only a warning: a site may be served through a proxy or a custom domain set up
    outside presssite. With ``cname`` the site is served at the root of that host.
    """
    if cname:
        expected: str | None = f"https://{cname.lower()}/"
        why = f"cname is {cname}"
    else:
        expected = pages_address(remote_url)
        why = f"the remote {remote_url} publishes there"
    if expected is None:
        return None
    got, want = urlsplit(base_url), urlsplit(expected)
    same = got.netloc.lower() == want.netloc.lower() and (
        got.path.rstrip("/").lower() == want.path.rstrip("/").lower()
    )
    if same:
        return None
    return (
        f"base_url {base_url} does not match {expected} ({why}): links and stylesheets "
        f'may break; set base_url = "{expected}" in the settings unless a custom domain '
        "serves the site"
    )


def commit_message(template: str | None, sha: str) -> str:
    """The deploy commit's message; ``{sha}`` and ``{version}`` are filled in.

    A custom message without ``{sha}`` still names the source commit, on its last line.
    """
    text = template or DEFAULT_MESSAGE
    filled = text.replace("{sha}", sha).replace("{version}", __version__)
    if "{sha}" not in text:
        filled += f"\n\nSource commit: {sha}"
    return filled


def count_files(folder: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(folder))


# --------------------------------------------------------------------------- git


class _Git:
    """Runs git in one repository; a failure becomes a ``DeployError`` with git's words."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=self.cwd,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise DeployError(
                "git is not installed", hint="install git (e.g. apt-get install git)"
            ) from None
        if check and done.returncode != 0:
            raise DeployError(f"git {args[0]} failed: {_last_words(done.stderr)}", path=self.cwd)
        return done

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()

    def rev(self, ref: str) -> str | None:
        done = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        if done.returncode != 0:
            return None
        return done.stdout.strip() or None

    def tree(self, commit: str) -> str:
        return self.out("rev-parse", f"{commit}^{{tree}}")

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0

    def set_ref(self, ref: str, commit: str | None) -> None:
        if commit is None:
            self.run("update-ref", "-d", ref, check=False)
        else:
            self.run("update-ref", ref, commit)


def _last_words(stderr: str) -> str:
    lines = [line.removeprefix("fatal: ").removeprefix("error: ") for line in stderr.splitlines()]
    return "; ".join(line.strip() for line in lines if line.strip()) or "no message"


def _open_repository(root: Path) -> _Git:
    git = _Git(root)
    done = git.run("rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise DeployError(
            "the site folder is not in a git repository",
            path=root,
            hint="git init, commit the site, then git remote add origin <your GitHub URL>",
        )
    return git


def _remote_url(git: _Git, remote: str) -> str:
    url = git.run("config", "--get", f"remote.{remote}.url", check=False).stdout.strip()
    if url:
        return url
    known = git.out("remote").split()
    listed = f" (remotes here: {', '.join(known)})" if known else " (there is none)"
    raise DeployError(
        f"no remote named {remote!r}{listed}",
        key="--remote",
        hint=f"git remote add {remote} <URL>, or pass --remote NAME",
    )


def _check_identity(git: _Git) -> None:
    """ghp-import signs its commit with user.name/email (or GIT_COMMITTER_*): need both."""
    for env, key in (("GIT_COMMITTER_NAME", "user.name"), ("GIT_COMMITTER_EMAIL", "user.email")):
        if os.environ.get(env) or git.run("config", key, check=False).stdout.strip():
            continue
        raise DeployError(
            f"git does not know who you are ({key} is not set)",
            hint=f'git config --global {key} "..." (or set {env})',
        )


def _fetch_remote_tip(git: _Git, remote: str, branch: str, into: str) -> str | None:
    """The remote branch's commit, fetched into the private ref ``into``; None when absent."""
    listed = git.run("ls-remote", "--exit-code", remote, f"refs/heads/{branch}", check=False)
    if listed.returncode == 2:
        return None
    if listed.returncode != 0:
        raise DeployError(
            f"cannot reach the remote {remote!r}: {_last_words(listed.stderr)}",
            hint="check the network and your access to the repository",
        )
    refspec = f"+refs/heads/{branch}:{into}"
    git.run("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, refspec)
    return git.rev(into)


@contextmanager
def _private_refs(git: _Git) -> Iterator[str]:
    """A private ref namespace for one deploy, removed afterwards whatever happens."""
    prefix = f"{_PRIVATE_REFS}/{os.getpid()}"
    try:
        yield prefix
    finally:
        listed = git.run("for-each-ref", "--format=%(refname)", prefix, check=False)
        for ref in listed.stdout.split():
            git.run("update-ref", "-d", ref, check=False)


# --------------------------------------------------------------------------- deploy


def deploy(
    settings: Settings,
    *,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    force: bool = False,
    dry_run: bool = False,
    build: bool = True,
    now: datetime | None = None,
    jobs: int | None = None,
    progress: bool = False,
) -> DeployResult:
    """Build (unless ``build`` is false) and publish ``build/`` to ``remote``'s ``branch``.

    Raises ``DeployError`` (or the build's errors) before anything is written or pushed.
    A dry run builds into a temporary folder, so it changes neither ``build/`` nor git.
    """
    git, remote_url, sha = _preflight(settings.root, remote, branch, identity=not dry_run)
    warnings = []
    if git.out("status", "--porcelain", "--untracked-files=no"):
        warnings.append(f"uncommitted changes are deployed too; the commit names HEAD {sha[:12]}")
    mismatch = base_url_warning(settings.base_url, remote_url, settings.cname)
    if mismatch:
        warnings.append(mismatch)
    for text in warnings:
        log.warning("%s", text)

    with _private_refs(git) as refs, tempfile.TemporaryDirectory(prefix="presssite-") as tmp:
        remote_tip = _fetch_remote_tip(git, remote, branch, f"{refs}/remote/{branch}")
        local_tip = git.rev(f"refs/heads/{branch}")
        base, replaces = _choose_base(git, local_tip, remote_tip, remote, branch, force=force)

        output = settings.root / "build"
        if build:
            output = Path(tmp) / "build" if dry_run else output
            _build(settings, output, now=now, jobs=jobs, progress=progress)
        elif not output.is_dir() or not any(output.iterdir()):
            raise DeployError(
                "there is no build to publish",
                path=output,
                hint="run presssite build first, or deploy without --no-build",
            )
        plan = DeployPlan(
            remote=remote,
            remote_url=remote_url,
            branch=branch,
            source_commit=sha,
            message=commit_message(message, sha),
            output=output,
            files=count_files(output),
            cname=settings.cname,
            remote_tip=remote_tip,
            replaces_history=replaces,
            warnings=tuple(warnings),
        )
        if dry_run:
            return DeployResult(plan=plan, commit=None, pushed=False, dry_run=True)
        return _publish(git, plan, base=base, local_tip=local_tip, base_ref=f"{refs}/base")


def _preflight(root: Path, remote: str, branch: str, *, identity: bool) -> tuple[_Git, str, str]:
    """Refuse early what would fail later: (git, the remote's URL, the source commit)."""
    git = _open_repository(root)
    remote_url = _remote_url(git, remote)
    head = git.run("symbolic-ref", "--quiet", "HEAD", check=False).stdout.strip()
    if head == f"refs/heads/{branch}":
        raise DeployError(
            f"the branch {branch!r} is checked out here; deploying would rewrite your files",
            key="--branch",
            hint="switch to the branch that holds the site's sources (git switch main)",
        )
    sha = git.rev("HEAD")
    if sha is None:
        raise DeployError(
            "the site repository has no commit yet, so there is no source to name",
            path=root,
            hint="commit the site first: git add -A && git commit -m 'First release'",
        )
    if identity:
        _check_identity(git)
    return git, remote_url, sha


def _publish(
    git: _Git, plan: DeployPlan, *, base: str | None, local_tip: str | None, base_ref: str
) -> DeployResult:
    """Commit on ``base`` with ghp-import, drop the commit if it changes nothing, push."""
    branch_ref = f"refs/heads/{plan.branch}"
    git.set_ref(f"{base_ref}/{plan.branch}", base)
    try:
        commit: str | None = _import(git, plan, base_ref, base)
    except DeployError:
        git.set_ref(branch_ref, local_tip)
        raise
    if commit is not None and base is not None and git.tree(commit) == git.tree(base):
        git.set_ref(branch_ref, base)
        commit = None
    tip = commit or base
    if tip is None or tip == plan.remote_tip:
        return DeployResult(plan=plan, commit=commit, pushed=False, dry_run=False)
    _push(git, plan, tip, restore=local_tip, force=plan.replaces_history)
    return DeployResult(plan=plan, commit=commit, pushed=True, dry_run=False)


def _choose_base(
    git: _Git,
    local: str | None,
    remote_tip: str | None,
    remote: str,
    branch: str,
    *,
    force: bool,
) -> tuple[str | None, bool]:
    """The commit the deploy builds on, and whether the push must replace remote history.

    The remote's tip when it is the same as, or ahead of, the local branch (a deploy from
    another clone); the local branch when the remote has nothing newer. When both moved
    apart, pushing would not be a fast-forward: refused unless ``force``.
    """
    if remote_tip is None:
        return local, False
    if local is None or local == remote_tip or git.is_ancestor(local, remote_tip):
        return remote_tip, False
    if git.is_ancestor(remote_tip, local):
        return local, False
    if not force:
        raise DeployError(
            f"{remote}/{branch} has commits that are not in the local {branch} branch: "
            "publishing would not be a fast-forward",
            key="--branch",
            hint=f"someone else published to {branch}; check, then deploy with --force "
            "to replace the remote branch's history",
        )
    return local, True


def _build(
    settings: Settings, target: Path, *, now: datetime | None, jobs: int | None, progress: bool
) -> None:
    from presssite import build as build_

    try:
        build_.build(settings, target=target, now=now, jobs=jobs, progress=progress)
    except PresssiteError as exc:
        stop = DeployError("the build failed; nothing was published")
        raise ErrorList([*flatten([exc]), stop]) from None


def _import(git: _Git, plan: DeployPlan, base_ref: str, base: str | None) -> str:
    """Commit ``plan.output`` onto the branch with ghp-import; return the new commit.

    ghp-import "rebases" the branch onto ``<remote>/<branch>`` before committing; naming
    the private ref namespace as the remote makes that the base chosen above. It pushes
    nothing (``--push`` is not given): pushing is ours, after the no-change check.
    """
    args = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--message", plan.message]
    args += ["--remote", base_ref, "--branch", plan.branch]
    if plan.cname:
        args += ["--cname", plan.cname]
    args.append(str(plan.output.resolve()))
    done = subprocess.run(
        args, cwd=git.cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    after = git.rev(f"refs/heads/{plan.branch}")
    if done.returncode != 0 or after is None or after == base:
        raise DeployError(
            f"ghp-import could not write the {plan.branch} branch: "
            f"{_last_words(done.stderr + done.stdout)}",
            path=plan.output,
        )
    return after


def _push(git: _Git, plan: DeployPlan, tip: str, *, restore: str | None, force: bool) -> None:
    """Push ``tip`` to the remote branch; on failure put the local branch back."""
    ref = f"refs/heads/{plan.branch}"
    args = ["push", "--quiet"]
    if force:
        # Replace the history we fetched, and only that: a newer push by someone else wins.
        args.append(f"--force-with-lease={ref}:{plan.remote_tip or ''}")
    done = git.run(*args, plan.remote, f"{tip}:{ref}", check=False)
    if done.returncode == 0:
        git.set_ref(ref, tip)  # ghp-import's commit may have been set back above
        return
    git.set_ref(ref, restore)
    rejected = any(word in done.stderr for word in ("non-fast-forward", "fetch first", "stale"))
    raise DeployError(
        f"the push to {plan.remote}/{plan.branch} was refused: {_last_words(done.stderr)}",
        hint=(
            "the remote branch changed while deploying; run presssite deploy again"
            if rejected
            else "check your access to the repository"
        ),
    )
