"""Where things are, the corpora, and how each tool is invoked on a site.

Corpora are generated once by ``shared/bench/make_corpus.py`` into ``benchmarks/work/`` and
reused; anchor sites are converted from them once by the anchors' own ``convert.py``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from .figures import Contender
from .timing import BenchError, run_quiet

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / "benchmarks" / "work"
RESULTS = REPO / "benchmarks" / "RESULTS.md"
SHARED = next(
    # beside the checkout, or beside the folder of worktrees a checkout sits in
    (p / "shared" / "bench" for p in REPO.parents if (p / "shared" / "bench").is_dir()),
    REPO.parent / "shared" / "bench",
)
ANCHORS = SHARED / "anchors"
THEME_TEMPLATE = REPO / "src" / "presssite" / "theme" / "templates" / "release.html"
HUGO_TEMPLATE = ANCHORS / "hugo" / "site" / "layouts" / "page.html"
BLOCKS = ("pages", "photos", "scale", "search")
DISPLAY = {
    "hugo": "Hugo",
    "pelican": "Pelican",
    "nikola": "Nikola",
    "hugo+pagefind": "Hugo + Pagefind",
}
SIZES = {  # block -> (articles, photos per article) per corpus, full and --quick
    "pages": ([(1000, 0)], [(100, 0)]),
    "photos": ([(100, 6)], [(10, 6)]),
    "scale": ([(1000, 0), (10000, 0)], [(100, 0), (1000, 0)]),
    "huge": ([(100000, 0)], [(10000, 0)]),
    "search": ([(1000, 0), (10000, 0)], [(100, 0), (1000, 0)]),
}

_log_file: Path | None = None


def set_log(path: Path) -> None:
    """Also append every log line to ``path`` (the run's log, next to the raw results)."""
    global _log_file
    _log_file = path


def log(message: str) -> None:
    line = f"[{datetime.now():%H:%M:%S}] {message}"
    print(line, file=sys.stderr, flush=True)
    if _log_file:
        with _log_file.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def corpus_args(articles: int, photos: int) -> list[str]:
    return ["--articles", str(articles), "--photos", str(photos), "--missing-translations", "0"]


def corpus(articles: int, photos: int) -> Path:
    """The corpus of this size, generated once into benchmarks/work/ and reused after."""
    path = WORK / f"corpus-a{articles}-p{photos}"
    if (path / "presssite.toml").exists():
        return path
    temp = path.with_name(path.name + ".tmp")
    if temp.exists():
        run_quiet(["rm", "-rf", str(temp)])
    log(f"generating {path.name} (make_corpus.py {' '.join(corpus_args(articles, photos))})")
    started = time.perf_counter()
    python = REPO / ".venv" / "bin" / "python"
    run_quiet(
        [
            str(python if python.exists() else sys.executable),
            str(SHARED / "make_corpus.py"),
            *corpus_args(articles, photos),
            "--out",
            str(temp),
        ],
        label="make_corpus.py",
    )
    os.replace(temp, path)
    log(f"generated {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def without_search(corpus_dir: Path) -> Path:
    """The corpus as a site with ``[search] enabled = false``, for the blocks that set
    presssite beside Hugo alone (the search block sets it, indexing, beside Hugo +
    Pagefind): its content hard-linked from the corpus, made once beside it."""
    path = corpus_dir.with_name(corpus_dir.name + "-nosearch")
    if (path / "presssite.toml").exists():
        return path
    temp = path.with_name(path.name + ".tmp")
    run_quiet(["rm", "-rf", str(temp)])
    temp.mkdir()
    run_quiet(["cp", "-al", str(corpus_dir / "content"), str(temp / "content")])
    settings = (corpus_dir / "presssite.toml").read_text(encoding="utf-8")
    (temp / "presssite.toml").write_text(
        settings + "\n[search]\nenabled = false\n", encoding="utf-8"
    )
    os.replace(temp, path)
    return path


def installation(venv: Path) -> tuple[Path, ...]:
    """A venv's folder and the standard library of the interpreter it was made from
    (``home`` in its ``pyvenv.cfg``), where it has one."""
    try:
        lines = (venv / "pyvenv.cfg").read_text().splitlines()
    except OSError:
        return (venv,)
    cfg = {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in lines)}
    home, version = cfg.get("home"), cfg.get("version_info") or cfg.get("version") or ""
    minor = ".".join(version.split(".")[:2])
    stdlib = Path(home).parent / "lib" / f"python{minor}" if home and minor else None
    return (venv, stdlib) if stdlib and stdlib.is_dir() else (venv,)


# What the tools write into a site folder: a cold build deletes it, nothing reads it.
OUTPUTS = frozenset({"build", ".presssite-cache", "public", "resources", "hugo_cache"})


def site_inputs(site: Path) -> tuple[Path, ...]:
    """The entries of ``site`` a build reads (its content, templates, settings), not the
    outputs and caches of earlier builds."""
    return tuple(sorted(p for p in site.iterdir() if p.name not in OUTPUTS))


def first_bundle(site_content: Path) -> str:
    return sorted(p.name for p in (site_content / "press").iterdir() if p.is_dir())[0]


class Anchors:
    """The anchor venvs and the converted anchor sites of each corpus."""

    def __init__(self, folder: Path, all_anchors: bool) -> None:
        self.folder = folder
        self.env = dict(
            os.environ,
            HUGO_VENV=str(folder / "venv-hugo"),
            PELICAN_VENV=str(folder / "venv-pelican"),
            NIKOLA_VENV=str(folder / "venv-nikola"),
        )
        names = ("hugo", "pelican", "nikola") if all_anchors else ("hugo",)
        self.names = [n for n in names if (folder / f"venv-{n}" / "bin" / "python").exists()]

    def site(self, name: str, corpus_dir: Path) -> Path:
        site = WORK / f"{name}-{corpus_dir.name.removeprefix('corpus-')}"
        if not site.exists():
            log(f"converting {corpus_dir.name} for {name}")
            python = "python3" if name == "hugo" else str(self.folder / f"venv-{name}/bin/python")
            run_quiet(
                [python, str(ANCHORS / name / "convert.py"), str(corpus_dir), str(site)],
                label=f"{name} convert.py",
            )
        return site

    def command(self, name: str, site: Path, mode: str) -> list[str]:
        return [str(ANCHORS / "build.sh"), name, str(site), mode]

    def installation(self, name: str) -> tuple[Path, ...]:
        """The folders an anchor runs from: its venv (Hugo's binary is in it) and the
        venv's standard library."""
        return installation(self.folder / f"venv-{name}")

    def cold_contender(self, name: str, site: Path, runs: int | None = None) -> Contender:
        """The anchor's cold build, its site and code read through before the first run."""
        reads = (*site_inputs(site), *self.installation(name))
        return Contender(
            name, self.command(name, site, "cold"), site, self.env, runs=runs, reads=reads
        )

    def verify(self, name: str, site: Path, articles: int, photos: int = 0) -> str:
        extra = ["--photos", str(articles * photos)] if photos else []
        try:
            out = run_quiet(
                [
                    "python3",
                    str(ANCHORS / "verify.py"),
                    name,
                    str(site),
                    "--articles",
                    str(articles),
                    *extra,
                ],
                label="verify.py",
            )
        except BenchError as error:
            return f"{name}: verify.py FAILED: {error}"
        kept = [line for line in out.strip().splitlines() if not line.endswith(": 0 files")]
        return f"`verify.py {name}` on {site.name}: " + "; ".join(kept)


class Presssite:
    """Commands for building one corpus with presssite, as a user runs it: the
    ``presssite`` of this interpreter's venv, or of the venv whose ``bin`` is given."""

    def __init__(self, site: Path, bin_dir: Path | None = None) -> None:
        self.site = site
        found = (bin_dir or Path(sys.executable).parent) / "presssite"
        self.bin = str(found) if found.exists() else "presssite"

    def installation(self) -> tuple[Path, ...]:
        """The folders a build reads its code from: the checkout's source, the venv of
        ``presssite`` and its interpreter's standard library."""
        found = Path(self.bin)
        return (REPO / "src", *(installation(found.parent.parent) if found.is_absolute() else ()))

    def cold(self) -> list[str]:
        # Deleting the output and the cache is inside the timing, as build.sh does for Hugo.
        script = 'rm -rf build .presssite-cache && exec "$0" build --timings'
        return ["sh", "-c", script, self.bin]

    def warm(self) -> list[str]:
        return [self.bin, "build", "--timings"]

    def contender(self, **steps: Callable[..., None] | None) -> Contender:
        return Contender("presssite", self.warm(), self.site, **steps)

    def cold_contender(self, name: str = "presssite") -> Contender:
        """The cold build, its site and code read through before the first run."""
        reads = (*site_inputs(self.site), *self.installation())
        return Contender(name, self.cold(), self.site, reads=reads)


def other_python(python: str) -> tuple[str, Path]:
    """A venv made from the interpreter ``python`` with this checkout installed in it
    (editable: the code measured is the checkout's), for ``--also-python``.

    Returns a label naming the interpreter ("presssite, /usr/bin/python3 (3.11.2)") and
    the venv's ``bin`` folder. The venv is kept in ``benchmarks/work/`` and reused; pip
    runs each time, which installs nothing when the dependencies are already there.
    """
    probe = [python, "-c", "import platform, sys; print(platform.python_version(), sys.prefix)"]
    try:
        version, prefix = run_quiet(probe, label=python).rstrip("\n").split(" ", 1)
    except (OSError, ValueError) as error:
        raise BenchError(f"--also-python {python}: not a Python interpreter ({error})") from None
    digest = hashlib.sha256(os.path.realpath(prefix).encode()).hexdigest()[:8]
    venv = WORK / f"venv-python{version}-{digest}"
    if not (venv / "bin" / "python").exists():
        log(f"making {venv.relative_to(REPO)} from {python}")
        run_quiet([python, "-m", "venv", str(venv)], label=f"{python} -m venv")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    run_quiet([*pip, "--disable-pip-version-check", "-e", str(REPO)], label="pip install")
    compile_with = [str(venv / "bin" / "python"), "-m", "compileall", "-q"]
    run_quiet([*compile_with, str(REPO / "src" / "presssite")], label="compileall")
    return f"presssite, {python} ({version})", venv / "bin"
