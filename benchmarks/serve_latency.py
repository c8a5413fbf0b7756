"""Edit-to-reload latency of ``presssite serve`` on a 1,000-release corpus.

    .venv/bin/python benchmarks/serve_latency.py [--articles 1000] [--edits 20] [--write]

Makes the corpus with ``../shared/bench/make_corpus.py --photos 0`` (needs Pillow, so
run it with the project's venv), starts ``presssite serve`` on it as a user would,
listens on the live-reload event stream, and saves a release ``--edits`` times in each
of three series: a release's text (the issue's figure), the newest release's text (it is
in the feeds too), and a release's date (lists reorder: a build). The latency of an edit
runs from the moment the saved file is closed to the moment the ``reload`` event arrives
(the new site is then completely in place); each edit is checked by fetching the page
and finding the new text. p50 is the median, p95 the nearest-rank 95th percentile.

A second, in-process run through ``serve.Preview`` reports the mean time of a text edit
and the mean time of each build stage of a date edit (``BuildReport.timings``).

With ``--write`` the results replace this benchmark's section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import platform
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
RESULTS = REPO / "benchmarks" / "RESULTS.md"
BEGIN, END = "<!-- serve_latency:begin -->", "<!-- serve_latency:end -->"
sys.path.insert(0, str(REPO / "src"))

from presssite import settings as settings_  # noqa: E402
from presssite.build import build  # noqa: E402
from presssite.errors import PresssiteError, flatten  # noqa: E402
from presssite.serve.command import Preview  # noqa: E402


def make_corpus(articles: int, out: Path) -> None:
    subprocess.run(
        [sys.executable, str(MAKE_CORPUS), "--articles", str(articles), "--photos", "0"]
        + ["--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def fix_url_collisions(root: Path) -> int:
    """Give each release whose URL collides with another's its folder name as slug.

    The generator can give two bundles the same title-derived slug, which presssite
    rightly refuses; the fix-up is what an editor would do. Returns the files changed.
    """
    fixed = 0
    for _ in range(3):
        try:
            build(settings_.load(root), target=root / "build", preview=True, include_drafts=True)
        except PresssiteError as exc:
            collisions = [e for e in flatten([exc]) if "same URL" in e.message and e.path]
            if len(collisions) != len(flatten([exc])):
                raise
            for error in collisions:
                assert error.path is not None
                text = error.path.read_text(encoding="utf-8")
                error.path.write_text(
                    text.replace("---\n", f"---\nslug: {error.path.parent.name}\n", 1),
                    encoding="utf-8",
                )
                fixed += 1
            continue
        shutil.rmtree(root / "build", ignore_errors=True)
        return fixed
    raise SystemExit("the corpus still does not build")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def listen(port: int, base: str, events: queue.Queue[tuple[str, float]]) -> socket.socket:
    """Read the event stream in a thread; put (event name, arrival time) on ``events``."""
    page = get(port, base)[1].decode()
    since = re.search(r"livereload\.js\?since=(\d+)", page)
    assert since is not None, "no live-reload client in the page"
    sock = socket.create_connection(("127.0.0.1", port))
    request = f"GET {base}__presssite__/events?since={since.group(1)} HTTP/1.0\r\n\r\n"
    sock.sendall(request.encode())
    reader = sock.makefile("rb")

    def run() -> None:
        for raw in reader:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event: "):
                events.put((line[7:], time.perf_counter()))

    threading.Thread(target=run, daemon=True).start()
    return sock


def edit(path: Path, original: str, i: int) -> str:
    """Append a sentence to the release: an edit of its text."""
    marker = f"Benchmark edit number {i} of the release."
    path.write_text(original.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
    return marker


def edit_date(path: Path, original: str, i: int) -> str:
    """Move the release's date by ``i + 1`` minutes and append a sentence: the release
    changes place among its neighbours, which takes a build."""
    found = re.search(r"^date: (\S+)T(\d\d):(\d\d)", original, re.MULTILINE)
    assert found is not None, f"no date in {path}"
    minute = (int(found.group(3)) + i + 1) % 60
    moved = original.replace(found.group(0), f"{found.group(0)[:-2]}{minute:02d}", 1)
    marker = f"Benchmark date edit number {i} of the release."
    path.write_text(moved.rstrip("\n") + f"\n\n{marker}\n", encoding="utf-8")
    return marker


# (name, which release of the sorted list, how it is edited)
SERIES = (
    ("text", "middle", edit),
    ("text of the newest release", "newest", edit),
    ("date", "third", edit_date),
)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def measure_serve(root: Path, edits: int) -> tuple[dict[str, list[float]], list[str]]:
    """Latencies (s) of each of ``SERIES``, ``edits`` saves each, in one ``serve`` session."""
    settings = settings_.load(root)
    base = settings.base_path
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "presssite", "serve", "--site", str(root), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True).start()
    results: dict[str, list[float]] = {}
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if get(port, base)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("serve did not come up:\n" + "".join(lines))
            time.sleep(0.2)
        events: queue.Queue[tuple[str, float]] = queue.Queue()
        sock = listen(port, base, events)
        time.sleep(0.5)
        releases = sorted(settings.content_dir.glob("press/*/index.en.md"))
        picks = {
            "middle": releases[len(releases) // 2],
            "newest": releases[-1],
            "third": releases[len(releases) // 3],
        }
        for name, which, change in SERIES:
            target = picks[which]
            url = f"{base}en/press/{target.parent.name}/"
            original = target.read_text(encoding="utf-8")
            latencies = results[name] = []
            for i in range(edits):
                while not events.empty():
                    events.get_nowait()
                marker = change(target, original, i)
                saved = time.perf_counter()
                while True:
                    event, arrived = events.get(timeout=120)
                    if event == "reload":
                        break
                    if event == "error":
                        raise SystemExit("the edit broke the build:\n" + "".join(lines))
                latencies.append(arrived - saved)
                status, body = get(port, _page_url(root, target, url))
                assert status == 200 and marker.encode() in body, f"{name}: edit {i} not served"
                time.sleep(0.3)
            target.write_text(original, encoding="utf-8")
            time.sleep(1.5)  # the restore's rebuild, before the next series
        sock.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    return results, lines


def _page_url(root: Path, target: Path, fallback: str) -> str:
    """The release's URL: its ``slug:`` when it has one, else its folder name sans date."""
    found = re.search(r"^slug: (\S+)$", target.read_text(encoding="utf-8"), re.MULTILINE)
    settings = settings_.load(root)
    if found:
        return f"{settings.base_path}en/press/{found.group(1)}/"
    from presssite.urls import bundle_slug

    return f"{settings.base_path}en/press/{bundle_slug(target.parent.name)}/"


def measure_stages(root: Path, edits: int) -> tuple[float, dict[str, float], float, int]:
    """In-process ``serve.Preview``: the mean time (ms) of a text edit; the mean stage
    times and total of a date edit's build; the pages of a build."""
    with tempfile.TemporaryDirectory() as work:
        preview = Preview(settings_.load(root), workdir=Path(work), echo=lambda _: None)
        preview.rebuild(set())
        releases = sorted(preview.settings.content_dir.glob("press/*/index.en.md"))
        target = releases[len(releases) // 3]
        original = target.read_text(encoding="utf-8")
        quick = []
        for i in range(edits):
            edit(target, original, i)
            started = time.perf_counter()
            preview.rebuild({target})
            quick.append(time.perf_counter() - started)
        builds = preview.builds
        sums: dict[str, float] = {}
        totals = []
        for i in range(edits):
            edit_date(target, original, i)
            started = time.perf_counter()
            preview.rebuild({target})
            totals.append(time.perf_counter() - started)
            assert preview.report is not None and preview.report.documents_parsed == 1
            for stage, seconds in preview.report.timings.items():
                sums[stage] = sums.get(stage, 0.0) + seconds
        assert preview.builds == builds + edits, "a date edit did not build"
        target.write_text(original, encoding="utf-8")
        assert preview.report is not None
        stages = {k: v / edits * 1000 for k, v in sums.items()}
        return (
            statistics.mean(quick) * 1000,
            stages,
            statistics.mean(totals) * 1000,
            preview.report.pages,
        )


def section(
    args: argparse.Namespace,
    load: tuple[float, float],
    series: dict[str, list[float]],
    quick: float,
    stages: dict[str, float],
    stage_total: float,
    pages: int,
    fixed: int,
) -> str:
    collisions = (
        f"\n{fixed} translations got their folder name as `slug:`: the generator gave them"
        "\nanother release's URL, which presssite refuses."
        if fixed
        else ""
    )
    rows = []
    for name, latencies in series.items():
        ms = [x * 1000 for x in latencies]
        rows.append(
            f"| {name} | {statistics.median(ms):.0f} | {percentile(ms, 95):.0f} "
            f"| {min(ms):.0f} | {max(ms):.0f} |"
        )
    text_ms = [x * 1000 for x in series["text"]]
    p50, p95 = statistics.median(text_ms), percentile(text_ms, 95)
    verdict = "met" if p50 < 200 and p95 < 500 else "NOT met"
    stage_rows = "\n".join(f"| {k} | {v:.0f} |" for k, v in stages.items())
    every = "\n".join(
        f"- {name}: {json.dumps([round(x * 1000) for x in latencies])}"
        for name, latencies in series.items()
    )
    return f"""{BEGIN}
## presssite serve: edit-to-reload latency

`benchmarks/serve_latency.py --articles {args.articles} --edits {args.edits}`, run on
{date.today().isoformat()} ({os.cpu_count()} cores, Python {platform.python_version()}; 1-minute
load average {load[0]:.1f} at the start, {load[1]:.1f} at the end: other work on the machine
slows every figure).
Corpus: `make_corpus.py --articles {args.articles} --photos 0`, {pages} pages per build.{collisions}
Each series saves one release {args.edits} times in one `presssite serve` session; latency =
file closed -> `reload` event received on the event stream (the new site completely in
place), each edit checked by fetching the page. The first two series edit a release's
text (a sentence appended): applied in place (`edits.py`: the release's page, its home
and tag list pages and the feeds that carry it). The newest release is in the Atom feeds
as well. The last series moves a release's date, which reorders lists: a build.

| series | p50 ms | p95 ms | min | max |
| --- | --- | --- | --- | --- |
{chr(10).join(rows)}

Target (a release's text edited) p50 < 200 ms, p95 < 500 ms: **{verdict}**
(p50 {p50:.0f} ms, p95 {p95:.0f} ms). The watcher's 60 ms debounce is part of every figure.

In-process `serve.Preview`, mean of {args.edits} edits each: a text edit takes {quick:.0f} ms;
a date edit's build {stage_total:.0f} ms, by stage:

| stage | ms |
| --- | --- |
{stage_rows}

All latencies (ms):
{every}
{END}
"""


def write_results(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        new = head + text.strip() + rest.split(END, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="presssite-bench-") as tmp:
        root = Path(tmp) / "corpus"
        print(f"making a corpus of {args.articles} releases...", flush=True)
        make_corpus(args.articles, root)
        fixed = fix_url_collisions(root)
        print(f"serving it; {args.edits} edits...", flush=True)
        series, lines = measure_serve(root, args.edits)
        print("".join(lines[-3:]), end="")
        print("stage timings...", flush=True)
        quick, stages, stage_total, pages = measure_stages(root, args.edits)
    load = (load_start, os.getloadavg()[0])
    text = section(args, load, series, quick, stages, stage_total, pages, fixed)
    print(text)
    if args.write:
        write_results(text)


if __name__ == "__main__":
    main()
