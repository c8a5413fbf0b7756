"""The published branch in git, for ``deploy``: a git runner whose failures are
``DeployError`` values, the remote branch fetched into private refs, ghp-import's commit
and the push.

The remote branch is fetched into a private ref (``refs/presssite/...``, removed at the
end) so the user's remote-tracking refs only move when a push succeeds. ghp-import writes
the output folder as one commit with ``git fast-import``, so the user's working tree,
index, stash and current branch are never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from presssite.errors import DeployError

_PRIVATE_REFS = "refs/presssite"


class Git:
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
            raise DeployError(f"git {args[0]} failed: {last_words(done.stderr)}", path=self.cwd)
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


def last_words(stderr: str) -> str:
    lines = [line.removeprefix("fatal: ").removeprefix("error: ") for line in stderr.splitlines()]
    return "; ".join(line.strip() for line in lines if line.strip()) or "no message"


def open_repository(root: Path) -> Git:
    git = Git(root)
    done = git.run("rev-parse", "--show-toplevel", check=False)
    if done.returncode != 0:
        raise DeployError(
            "the site folder is not in a git repository",
            path=root,
            hint="git init, commit the site, then git remote add origin <your GitHub URL>",
        )
    return git


def remote_url(git: Git, remote: str) -> str:
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


def check_identity(git: Git) -> None:
    """ghp-import signs its commit with user.name/email (or GIT_COMMITTER_*): need both."""
    for env, key in (("GIT_COMMITTER_NAME", "user.name"), ("GIT_COMMITTER_EMAIL", "user.email")):
        if os.environ.get(env) or git.run("config", key, check=False).stdout.strip():
            continue
        raise DeployError(
            f"git does not know who you are ({key} is not set)",
            hint=f'git config --global {key} "..." (or set {env})',
        )


def fetch_remote_tip(git: Git, remote: str, branch: str, into: str) -> str | None:
    """The remote branch's commit, fetched into the private ref ``into``; None when absent."""
    listed = git.run("ls-remote", "--exit-code", remote, f"refs/heads/{branch}", check=False)
    if listed.returncode == 2:
        return None
    if listed.returncode != 0:
        raise DeployError(
            f"cannot reach the remote {remote!r}: {last_words(listed.stderr)}",
            hint="check the network and your access to the repository",
        )
    refspec = f"+refs/heads/{branch}:{into}"
    git.run("fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, refspec)
    return git.rev(into)


@contextmanager
def private_refs(git: Git) -> Iterator[str]:
    """A private ref namespace for one deploy, removed afterwards whatever happens."""
    prefix = f"{_PRIVATE_REFS}/{os.getpid()}"
    try:
        yield prefix
    finally:
        listed = git.run("for-each-ref", "--format=%(refname)", prefix, check=False)
        for ref in listed.stdout.split():
            git.run("update-ref", "-d", ref, check=False)


def choose_base(
    git: Git,
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


def commit_folder(
    git: Git,
    folder: Path,
    *,
    branch: str,
    message: str,
    cname: str | None,
    base_ref: str,
    base: str | None,
) -> str:
    """Commit ``folder`` onto ``branch`` with ghp-import; return the new commit.

    ghp-import "rebases" the branch onto ``<remote>/<branch>`` before committing; naming
    the private ref namespace ``base_ref`` as the remote makes that ``base``. It pushes
    nothing (``--push`` is not given): pushing is the caller's, after its no-change check.
    """
    args = [sys.executable, "-m", "ghp_import", "--no-jekyll", "--message", message]
    args += ["--remote", base_ref, "--branch", branch]
    if cname:
        args += ["--cname", cname]
    args.append(str(folder.resolve()))
    done = subprocess.run(
        args, cwd=git.cwd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    after = git.rev(f"refs/heads/{branch}")
    if done.returncode != 0 or after is None or after == base:
        raise DeployError(
            f"ghp-import could not write the {branch} branch: "
            f"{last_words(done.stderr + done.stdout)}",
            path=folder,
        )
    return after


def push(
    git: Git,
    remote: str,
    branch: str,
    tip: str,
    *,
    remote_tip: str | None,
    restore: str | None,
    force: bool,
) -> None:
    """Push ``tip`` to the remote branch; on failure put the local branch back at ``restore``.

    With ``force`` the push replaces ``remote_tip`` (the history fetched), and only that:
    a newer push by someone else wins.
    """
    ref = f"refs/heads/{branch}"
    args = ["push", "--quiet"]
    if force:
        args.append(f"--force-with-lease={ref}:{remote_tip or ''}")
    done = git.run(*args, remote, f"{tip}:{ref}", check=False)
    if done.returncode == 0:
        git.set_ref(ref, tip)  # ghp-import's commit may have been set back by the caller
        return
    git.set_ref(ref, restore)
    rejected = any(word in done.stderr for word in ("non-fast-forward", "fetch first", "stale"))
    raise DeployError(
        f"the push to {remote}/{branch} was refused: {last_words(done.stderr)}",
        hint=(
            "the remote branch changed while deploying; run presssite deploy again"
            if rejected
            else "check your access to the repository"
        ),
    )
