"""Translation status as a build and ``presssite translations`` ask for it.

The commit history (one ``git log``) is read only when a translation lacks ``updated:``
and the site is inside git, and is kept by HEAD, so a rebuild without a new commit does
not read it again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from presssite.cache.hashes import git_state
from presssite.cache.store import BuildCache
from presssite.model import Bundle
from presssite.settings import Settings
from presssite.site import translations
from presssite.site.history import commit_history


def translation_status(
    settings: Settings,
    bundles: Iterable[Bundle],
    history: dict[str, Any] | None = None,
    store: BuildCache | None = None,
) -> translations.Status:
    """The translation status of ``bundles``; git is read only when it can matter.

    The commit history is kept by HEAD in ``history`` (a long-running caller's) and in
    the build cache.
    """
    bundles = list(bundles)
    commits = None
    if translations.needs_history(bundles) and _maybe_git(settings):
        cache = history
        if cache is not None and not cache and store is not None:
            saved = store.load("history")
            if isinstance(saved, dict):
                cache.update(saved)
        before = dict(cache) if cache is not None else None
        commits = commit_history(settings.root, settings.content_dir, cache=cache)
        if store is not None and cache is not None and cache != before:
            store.save("history", dict(cache))
    return translations.status(settings, bundles, history=commits)


def _maybe_git(settings: Settings) -> bool:
    """False only when no folder above the site has a ``.git``: git would find no history
    (two processes spared on every build of a site outside git)."""
    return bool(os.environ.get("GIT_DIR")) or bool(git_state(settings.root))
