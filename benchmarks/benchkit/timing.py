"""Whole-process timing from outside, with GNU time, and the machine it ran on.

Every figure of the suite is one process timed by ``/usr/bin/time -f "%e %U %S %M"``, the
same way ``shared/bench/anchors/bench.sh`` times the anchors, so start-up is included and
peak memory is measured for presssite and the anchors alike. ``%M`` is the peak resident
set of the largest single process (the build itself or one pool worker), not a sum.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

GNU_TIME = "/usr/bin/time"
REAP = [sys.executable, "-I", "-S", str(Path(__file__).with_name("reap.py"))]
STAGE_LINE = re.compile(r"^\s{2}(\S.*?)\s+(-?[\d.]+) ms\s*$")
BUILT_LINE = re.compile(r"^Built (\d+) pages")
PROCESSED = re.compile(r"images processed (\d+), cached (\d+)")
PARSED = re.compile(r"documents parsed (\d+), reused (\d+)")


class BenchError(RuntimeError):
    """A step of the suite failed; the message says which and shows its output."""


@dataclass(frozen=True)
class Sample:
    """One timed process: wall, user and system seconds, peak RSS, and what it printed."""

    wall: float
    user: float
    sys: float
    peak_kib: int
    output: str = ""

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def peak_mib(self) -> float:
        return self.peak_kib / 1024


@dataclass(frozen=True)
class Stats:
    """Median and range of a figure's runs; ``median_sample`` is the run the median names."""

    median: float
    low: float
    high: float
    cpu: float
    peak_mib: float
    runs: int
    median_sample: Sample = field(repr=False)

    def span(self) -> str:
        """``2.68 (2.18–3.35)``: the median and the range, in seconds."""
        if self.runs == 1:
            return f"{self.median:.2f}"
        return f"{self.median:.2f} ({self.low:.2f}–{self.high:.2f})"


def summarise(samples: list[Sample]) -> Stats:
    """Median wall of the runs; with an even count the lower middle run, so it is a real run.

    Picking a real run (rather than averaging the two middle ones) lets the report show that
    run's own stage timings next to its wall time.
    """
    if not samples:
        raise BenchError("no samples to summarise")
    ordered = sorted(samples, key=lambda s: s.wall)
    mid = ordered[(len(ordered) - 1) // 2]
    return Stats(
        median=mid.wall,
        low=ordered[0].wall,
        high=ordered[-1].wall,
        cpu=statistics.median(s.cpu for s in samples),
        peak_mib=max(s.peak_mib for s in samples),
        runs=len(samples),
        median_sample=mid,
    )


def ensure_gnu_time() -> None:
    """GNU time is needed for peak memory; Debian's ``time`` package provides it."""
    if os.access(GNU_TIME, os.X_OK):
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", "time"], check=False)
    if not os.access(GNU_TIME, os.X_OK):
        raise BenchError(f"{GNU_TIME} is missing: install GNU time (Debian package `time`)")


def run_timed(
    command: list[str], *, cwd: Path, env: dict[str, str] | None = None, label: str = ""
) -> Sample:
    """Run ``command`` once under GNU time; raise BenchError (with its output) if it fails.

    The command runs under ``reap.py``, so processes it leaves behind (a fork server's
    pool workers) are waited for and their CPU time and peak memory are counted.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as handle:
        time_file = handle.name
    try:
        done = subprocess.run(
            [GNU_TIME, "-f", "%e %U %S %M", "-o", time_file, *REAP, *command],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        lines = Path(time_file).read_text().split()
    finally:
        os.unlink(time_file)
    if done.returncode != 0 or len(lines) < 4:
        tail = "\n".join(done.stdout.splitlines()[-30:])
        raise BenchError(f"{label or command[0]} failed (exit {done.returncode}):\n{tail}")
    wall, user, system, peak = lines[-4:]
    return Sample(float(wall), float(user), float(system), int(peak), done.stdout)


def run_quiet(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    label: str = "",
) -> str:
    """Run an untimed step (a warm-up build, a conversion); raise BenchError if it fails."""
    done = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    if done.returncode != 0:
        tail = "\n".join(done.stdout.splitlines()[-30:])
        raise BenchError(f"{label or command[0]} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


@dataclass(frozen=True)
class BuildTimings:
    """What ``presssite build --timings`` printed: stage -> ms, counts, pages built."""

    stages: dict[str, float]
    counts: str
    pages: int | None
    images_processed: int | None
    images_cached: int | None
    documents_parsed: int | None
    documents_reused: int | None


def parse_timings(output: str) -> BuildTimings:
    """Read the stage lines and the counts line, whatever stages the build reports.

    The set of stages grows as presssite grows, so every ``  name  12.3 ms`` line is kept;
    the counts line is kept verbatim and its known numbers are read for the target checks.
    """
    stages: dict[str, float] = {}
    counts: list[str] = []
    pages = None
    for line in output.splitlines():
        if m := STAGE_LINE.match(line):
            stages[m.group(1).strip()] = float(m.group(2))
        elif m := BUILT_LINE.match(line):
            pages = int(m.group(1))
        elif PARSED.search(line) or PROCESSED.search(line) or "rendered" in line:
            counts.append(line.strip())
    text = "; ".join(counts)
    processed, parsed = PROCESSED.search(text), PARSED.search(text)
    return BuildTimings(
        stages=stages,
        counts=text,
        pages=pages,
        images_processed=int(processed.group(1)) if processed else None,
        images_cached=int(processed.group(2)) if processed else None,
        documents_parsed=int(parsed.group(1)) if parsed else None,
        documents_reused=int(parsed.group(2)) if parsed else None,
    )


def uptime() -> str:
    """The load averages right now, as ``uptime`` prints them (the machine is shared)."""
    try:
        one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "unknown"
    return f"load average {one}, {five}, {fifteen}"


def disk_probe(folder: Path, count: int = 1000) -> str:
    """How fast the disk makes and removes page folders right now, as a line for the report.

    ``count`` folders, each with one 16 KB ``index.html`` (the shape of a built site), made
    and then removed in ``folder`` after a ``sync``. On this machine the system time of the
    same build varies fourfold with the disk's phases (benchmarks/README.md), and Hugo's
    much less, so each block records the probe at its start and end.
    """
    import time

    folder.mkdir(parents=True, exist_ok=True)
    probe = Path(tempfile.mkdtemp(prefix="disk-probe-", dir=folder))
    data = b"<p>" + b"x" * 16380
    try:
        subprocess.run(["sync"], check=False)
        start = time.perf_counter()
        for n in range(count):
            page = probe / str(n)
            page.mkdir()
            (page / "index.html").write_bytes(data)
        made = time.perf_counter()
        shutil.rmtree(probe)
        removed = time.perf_counter()
    finally:
        shutil.rmtree(probe, ignore_errors=True)
    per = 1e6 / count
    return (
        f"disk: a page folder made in {(made - start) * per:.0f} µs, "
        f"removed in {(removed - made) * per:.0f} µs"
    )


def source_fingerprint() -> str:
    """A short hash of presssite's source files as they are now.

    Other work goes on in the same tree while the suite runs; ``git describe --dirty``
    cannot tell one dirty state from another, this can, so a block whose code changed
    between its first and last run says so.
    """
    import hashlib

    root = Path(__file__).resolve().parents[2] / "src" / "presssite"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".mo":
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> dict[str, str]:
    """Core count, CPU model, memory, Python and Pillow versions, presssite's revision."""
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    repo = Path(__file__).resolve().parents[2]
    revision = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=repo, capture_output=True, text=True
    ).stdout.strip()
    try:
        from PIL import __version__ as pillow
    except ImportError:  # the suite runs under the project's venv, which has Pillow
        pillow = "unknown"
    return {
        "cores": str(os.cpu_count() or 1),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "pillow": pillow,
        "presssite": revision or "unknown",
        "source": source_fingerprint(),
    }
