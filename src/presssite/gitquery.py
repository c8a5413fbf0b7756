"""Asking git a question: its answer, or None when git cannot give one.

The build reads what git knows (the history of translations, the files a checkout left
unchanged) and ``presssite init`` the branch a site is pushed from; none of them needs
git: without it, outside a work tree, or when a command fails, they do without. (A
deploy, which cannot, runs git through ``ghpages.Git``, whose failures are errors.)
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

TIMEOUT = 60  # seconds; an answer this slow is not worth waiting for


def output(cwd: Path | str, *args: str) -> str | None:
    """The output of ``git args`` run in ``cwd`` (paths unquoted: ``core.quotepath``
    off); None when git is missing, too slow, or the command fails."""
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=cwd,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("git %s in %s: %s", args[0], cwd, exc)
        return None
    if done.returncode != 0:  # not a work tree, a repository git refuses, ...
        log.info("git %s in %s: %s", args[0], cwd, done.stderr.decode("utf-8", "replace").strip())
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def word(cwd: Path | str, *args: str) -> str | None:
    """A one-line answer (a commit, a branch, a setting), stripped; None as ``output``
    gives, or when git says nothing."""
    return (output(cwd, *args) or "").strip() or None
