"""The "CI deploy" figure: a deploy by the GitHub Pages workflow after one new release.

What the workflow does, step by step, with the untimed steps done here before each run:
a fresh ``git clone`` of the site (every file gets a new modification time), the paths
the workflow keeps with ``actions/cache`` (``.presssite-cache`` and ``build``) restored
from an archive made after the previous deploy (``tar`` keeps their times, as the
action's archive does), one new release committed; then, timed, ``presssite build``.
The repository ignores those paths, as the ``.gitignore`` of ``presssite init`` does:
committed, they would add thousands of files to the new release's commit, whose
``git gc --auto`` would then pack them in the background through the timed build.

The archive stands for the cache saved by the previous deploy: made once, in ``setup``,
by a clone of the same repository built before the new release. Every run starts from
that same state, at the same path (a runner's checkout folder never moves).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .figures import Contender
from .sites import Presssite, site_inputs
from .timing import run_quiet

CACHED = (".presssite-cache", "build")  # the workflow's actions/cache paths
IGNORED = "".join(f"/{path}/\n" for path in CACHED)  # never committed (``presssite init``)


class CiDeploy:
    """A site's repository, its cached paths after a deploy, and the runner's checkout."""

    def __init__(self, ps: Presssite, folder: Path) -> None:
        self.ps = ps
        self.folder = folder
        self.repo = folder / "repo"
        self.site = folder / "site"  # the runner's checkout, made again before each run
        self.archive = folder / "cached.tar"

    def contender(self) -> Contender:
        return Contender(
            "presssite",
            [self.ps.bin, "build", "--timings"],
            self.site,
            setup=self.setup,
            before=self.before,
            teardown=self.teardown,
        )

    def setup(self) -> None:
        """The repository (the corpus's inputs, one commit) and the archive of what its
        first deploy left for the next one."""
        shutil.rmtree(self.folder, ignore_errors=True)
        self.repo.mkdir(parents=True)
        for entry in site_inputs(self.ps.site):
            if entry.is_dir():
                shutil.copytree(entry, self.repo / entry.name)
            else:
                shutil.copy2(entry, self.repo / entry.name)
        (self.repo / ".gitignore").write_text(IGNORED, encoding="utf-8")
        self._git(self.repo, "init", "-q")
        self._git(self.repo, "add", "-A")
        self._git(self.repo, "commit", "-q", "-m", "the site")
        self._clone()
        run_quiet([self.ps.bin, "build"], cwd=self.site, label="ci deploy: first deploy")
        run_quiet(
            ["tar", "-cf", str(self.archive), "--posix", *CACHED],
            cwd=self.site,
            label="ci deploy: save the cached paths",
        )

    def before(self, _run: int) -> None:
        """A fresh checkout, the cached paths restored, one new release committed."""
        self._clone()
        run_quiet(["tar", "-xf", str(self.archive)], cwd=self.site, label="restore")
        press = self.site / "content" / "press"
        newest = sorted(p for p in press.iterdir() if p.is_dir())[-1]
        added = press / f"{newest.name}-new"
        shutil.copytree(newest, added)
        for page in added.glob("index.*.md"):
            text = page.read_text(encoding="utf-8").replace('title: "', 'title: "New: ', 1)
            text = re.sub(r"^slug: (.*)$", r"slug: \1-new", text, count=1, flags=re.M)
            page.write_text(text, encoding="utf-8")
        self._git(self.site, "add", "-A")
        self._git(self.site, "commit", "-q", "-m", "one new release")

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _clone(self) -> None:
        shutil.rmtree(self.site, ignore_errors=True)
        run_quiet(["git", "clone", "-q", str(self.repo), str(self.site)], label="git clone")

    @staticmethod
    def _git(where: Path, *args: str) -> None:
        ident = ["-c", "user.name=bench", "-c", "user.email=bench@example.org"]
        run_quiet(["git", "-C", str(where), *ident, *args], label=f"git {args[0]}")
