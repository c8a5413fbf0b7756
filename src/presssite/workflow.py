"""The GitHub Pages workflow a new site gets: the repository's own workflow (packaged as
``theme/scaffold/pages.yml``) with the install steps and the branch made right for the
site's repository.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from presssite import __version__, gitquery
from presssite.errors import UsageError

PATH = ".github/workflows/pages.yml"
# The repository's own workflow installs presssite from its checkout and builds on pushes
# to main; a new site's installs what ``init --presssite-version`` names (by default the
# version that created it, so an upgrade is a deliberate edit) and builds on pushes to
# the site repository's branch.
_REPO_INSTALL = "run: python -m pip install ."
_REPO_BRANCHES = "branches: [main]"
# A pip requirement's version part, or a URL pip installs from: nothing a shell or YAML
# would read differently (no quotes, spaces, ``$`` or backticks).
_SPEC = re.compile(r"^[A-Za-z0-9_.+\-=<>!~,*:/@#%?&]+$")


def text(*, install: str | None = None, branch: str | None = None) -> str:
    """The GitHub Pages workflow; ``install`` replaces the repository's install steps and
    ``branch`` the branch whose pushes build the site."""
    body = resources.files("presssite").joinpath("theme/scaffold/pages.yml").read_text("utf-8")
    if install is not None:
        body = body.replace(_REPO_INSTALL, f"run: {install}")
    if branch is not None:
        body = body.replace(_REPO_BRANCHES, f"branches: [{json.dumps(branch)}]")
    return body


def install_command(spec: str | None) -> str:
    """The workflow's pip command for ``init --presssite-version``.

    A version (``0.4.0``), a version spec (``==0.4.0``, ``>=0.4,<0.5``) or a URL pip
    installs from (``git+https://github.com/owner/presssite@main``); by default the
    running version.
    """
    spec = (spec if spec is not None else f"=={__version__}").strip()
    if not spec or not _SPEC.match(spec):
        raise UsageError(
            f"not a version spec or URL pip can install: {spec!r}",
            key="--presssite-version",
            hint="e.g. 0.4.0, '>=0.4,<0.5' or git+https://github.com/owner/presssite@main",
        )
    if "://" in spec:
        return f'python -m pip install "presssite @ {spec}"'
    if spec[0].isdigit():
        spec = f"=={spec}"
    return f'python -m pip install "presssite{spec}"'


def branch_of(folder: Path) -> str:
    """The branch a new site's pushes come from, so its workflow triggers on them.

    The current branch of the repository ``folder`` is in (one with no commit yet too);
    outside a repository, the branch ``git init`` would make: ``init.defaultBranch``, else
    git's own default (``master`` before git 3.0, ``main`` after; ``main`` without git,
    as GitHub names a new repository's branch).
    """
    place = folder.resolve()
    while not place.is_dir():
        place = place.parent
    current = gitquery.word(place, "symbolic-ref", "--quiet", "--short", "HEAD")
    if current:
        return current
    configured = gitquery.word(place, "config", "--get", "init.defaultBranch")
    if configured:
        return configured
    version = gitquery.word(place, "version")
    if version is None:
        return "main"
    major = re.search(r"(\d+)\.", version)
    return "main" if major and int(major[1]) >= 3 else "master"
