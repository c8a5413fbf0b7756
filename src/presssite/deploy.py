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

* the site it publishes is the public one: ``deploy`` builds with the real clock and no
  drafts, and ``--no-build`` refuses an output marked as a preview (``output.preview``)
  unless ``force``.

The git side (private refs, ghp-import, the push) is ``ghpages``'s.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from presssite import __version__
from presssite.errors import DeployError, ErrorList, PresssiteError, flatten
from presssite.ghpages import (
    Git,
    check_identity,
    choose_base,
    commit_folder,
    fetch_remote_tip,
    open_repository,
    private_refs,
    push,
    remote_url,
)
from presssite.output import preview
from presssite.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MESSAGE = "Deploy {sha} with presssite {version}"
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
    jobs: int | None = None,
    progress: bool = False,
) -> DeployResult:
    """Build (unless ``build`` is false) and publish ``build/`` to ``remote``'s ``branch``.

    The build is the public site at the real clock: no drafts, no ``--now``. Raises
    ``DeployError`` (or the build's errors) before anything is written or pushed. A dry
    run builds into a temporary folder, so it changes neither ``build/`` nor git.
    ``force`` replaces a diverged remote branch, and publishes an output marked as a
    preview (with a warning).
    """
    git, url, sha = _preflight(settings.root, remote, branch, identity=not dry_run)
    warnings = []
    if git.out("status", "--porcelain", "--untracked-files=no"):
        warnings.append(f"uncommitted changes are deployed too; the commit names HEAD {sha[:12]}")
    mismatch = base_url_warning(settings.base_url, url, settings.cname)
    if mismatch:
        warnings.append(mismatch)
    for text in warnings:
        log.warning("%s", text)

    with private_refs(git) as refs, tempfile.TemporaryDirectory(prefix="presssite-") as tmp:
        remote_tip = fetch_remote_tip(git, remote, branch, f"{refs}/remote/{branch}")
        local_tip = git.rev(f"refs/heads/{branch}")
        base, replaces = choose_base(git, local_tip, remote_tip, remote, branch, force=force)

        output = settings.root / "build"
        if build:
            output = Path(tmp) / "build" if dry_run else output
            _build(settings, output, jobs=jobs, progress=progress)
        else:
            warnings += _check_output(output, force=force)
        plan = DeployPlan(
            remote=remote,
            remote_url=url,
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


def _check_output(output: Path, *, force: bool) -> list[str]:
    """Refuse an output that is missing or a preview (unless ``force``: then a warning)."""
    if not output.is_dir() or not any(output.iterdir()):
        raise DeployError(
            "there is no build to publish",
            path=output,
            hint="run presssite build first, or deploy without --no-build",
        )
    marked = preview.read(output)
    if marked is None:
        return []
    what = f"the output is a preview ({marked.reasons()}): it may show drafts or embargoed releases"
    if not force:
        raise DeployError(
            f"{what}; nothing was published",
            path=output,
            hint="deploy without --no-build (deploy builds the public site at the real "
            "clock), or run presssite build without --drafts and --now first; --force "
            "publishes it anyway",
        )
    text = f"{what}, and is published anyway (--force)"
    log.warning("%s", text)
    return [text]


def _preflight(root: Path, remote: str, branch: str, *, identity: bool) -> tuple[Git, str, str]:
    """Refuse early what would fail later: (git, the remote's URL, the source commit)."""
    git = open_repository(root)
    url = remote_url(git, remote)
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
        check_identity(git)
    return git, url, sha


def _publish(
    git: Git, plan: DeployPlan, *, base: str | None, local_tip: str | None, base_ref: str
) -> DeployResult:
    """Commit on ``base`` with ghp-import, drop the commit if it changes nothing, push."""
    branch_ref = f"refs/heads/{plan.branch}"
    git.set_ref(f"{base_ref}/{plan.branch}", base)
    try:
        commit: str | None = commit_folder(
            git,
            plan.output,
            branch=plan.branch,
            message=plan.message,
            cname=plan.cname,
            base_ref=base_ref,
            base=base,
        )
    except DeployError:
        git.set_ref(branch_ref, local_tip)
        raise
    if commit is not None and base is not None and git.tree(commit) == git.tree(base):
        git.set_ref(branch_ref, base)
        commit = None
    tip = commit or base
    if tip is None or tip == plan.remote_tip:
        return DeployResult(plan=plan, commit=commit, pushed=False, dry_run=False)
    push(
        git,
        plan.remote,
        plan.branch,
        tip,
        remote_tip=plan.remote_tip,
        restore=local_tip,
        force=plan.replaces_history,
    )
    return DeployResult(plan=plan, commit=commit, pushed=True, dry_run=False)


def _build(settings: Settings, target: Path, *, jobs: int | None, progress: bool) -> None:
    """The public site at the real clock (no ``now``, no drafts), into ``target``."""
    from presssite import build as build_

    try:
        build_.build(settings, target=target, jobs=jobs, progress=progress)
    except PresssiteError as exc:
        stop = DeployError("the build failed; nothing was published")
        raise ErrorList([*flatten([exc]), stop]) from None
