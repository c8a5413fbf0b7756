"""presssite's benchmark suite: presssite against Hugo (and the Pillow floor) in one run.

    .venv/bin/python benchmarks/run.py [--quick] [--only pages|photos|scale] [--runs N]
                                       [--anchors DIR] [--install-anchors] [--all-anchors]
                                       [--hugo-photos] [--huge] [--also-python PYTHON]
                                       [--no-write]

Blocks (all three unless ``--only``; ``--only`` may repeat or take a comma list):

- ``pages``: 1,000 releases x 2 locales, no photos. Cold build, no-change rebuild, rebuild
  after editing one release, rebuild after editing one template; presssite alternated with
  Hugo (and Pelican and Nikola with ``--all-anchors``). ``--also-python PYTHON`` adds
  presssite's cold build on another interpreter (a venv made from it in
  ``benchmarks/work/``, this checkout installed in it) to the same alternation.
- ``photos``: 100 releases x 6 photos. Cold build alternated with the Pillow floor
  (``shared/bench/anchors/floor.py --webp`` on all cores: the same widths and formats),
  no-change rebuild, rebuild after replacing one photo, CI deploy after one new release
  (``benchkit/deploy.py``). ``--hugo-photos`` adds one Hugo
  JPEG + WebP cold build (about 5 minutes) in the same alternation, then Hugo's rebuilds.
- ``scale``: cold and no-change builds of 1,000 and 10,000 releases (and 100,000 with
  ``--huge``, presssite only, one run), for the growth curve and peak memory.

Corpora come from ``shared/bench/make_corpus.py`` and are cached in ``benchmarks/work/``;
the anchors are built through ``shared/bench/anchors/build.sh`` from the venvs that
``shared/bench/anchors/install.sh DIR`` makes (``--install-anchors`` runs it into
``--anchors DIR``, by default ``benchmarks/work/anchors``). Without them only presssite is
measured. Results replace this suite's sections of ``benchmarks/RESULTS.md``; raw samples go
to ``benchmarks/work/results-<block>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchkit.blocks import (  # noqa: E402
    add_checks_and_notes,
    pages_figures,
    photos_figures,
    scale_figures,
    search_figures,
)
from benchkit.figures import measure  # noqa: E402
from benchkit.report import Block, markers, render, write_section  # noqa: E402
from benchkit.sites import (  # noqa: E402
    ANCHORS,
    BLOCKS,
    DISPLAY,
    REPO,
    RESULTS,
    SIZES,
    WORK,
    Anchors,
    Presssite,
    corpus,
    corpus_args,
    log,
    other_python,
    set_log,
    without_search,
)
from benchkit.timing import (  # noqa: E402
    BenchError,
    disk_probe,
    ensure_gnu_time,
    machine,
    parse_timings,
    run_quiet,
    source_fingerprint,
    uptime,
)


def run_block(
    key: str, args: argparse.Namespace, anchors: Anchors, publish: Callable[[Block], None]
) -> Block:
    """Measure one block's figures; ``publish`` gets the block after each figure.

    Publishing after each figure means a long run that is stopped still leaves the figures
    it finished in RESULTS.md, marked as incomplete.
    """
    quick = args.quick
    sizes = SIZES[key][1 if quick else 0]
    if key == "scale" and args.huge:
        sizes = sizes + SIZES["huge"][1 if quick else 0]
    corpora = [corpus(a, p) for a, p in sizes]
    # presssite's sites: beside Hugo alone (pages, scale) it builds without its search index
    sites = corpora if key == "search" else [without_search(c) for c in corpora]
    titles = {
        "pages": f"Pages: {sizes[0][0]:,} releases x 2 locales, no photos",
        "photos": f"Photos: {sizes[0][0]:,} releases x {sizes[0][1]} photos",
        "scale": "Scale: " + ", ".join(f"{a:,}" for a, _ in sizes) + " releases, no photos",
        "search": "Search: " + ", ".join(f"{a:,}" for a, _ in sizes) + " releases x 2 locales",
    }
    block = Block(
        key=key + ("-quick" if quick else ""),
        title=titles[key],
        corpus="; ".join(f"`make_corpus.py {' '.join(corpus_args(a, p))}`" for a, p in sizes),
        command=".venv/bin/python benchmarks/run.py " + shlex.join(sys.argv[1:]),
        quick=quick,
        machine=machine(),
        started=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        load_start=f"{uptime()}; {disk_probe(WORK)}",
        reference={"photos": "floor", "search": "Hugo + Pagefind"}.get(key, "Hugo"),
    )
    log(f"block {key}: {block.load_start}")
    if key == "pages":
        also = {label: Presssite(sites[0], bin_dir) for label, bin_dir in args.also}
        figures = pages_figures(Presssite(sites[0]), anchors, corpora[0], also)
    elif key == "photos":
        figures = photos_figures(Presssite(corpora[0]), anchors, corpora[0], args.hugo_photos)
    elif key == "search":
        figures = search_figures(
            {a: Presssite(c) for (a, _), c in zip(sizes, corpora, strict=True)}, anchors
        )
    else:
        huge = sizes[-1][0] if args.huge else None
        figures = scale_figures(
            {a: Presssite(c) for (a, _), c in zip(sizes, sites, strict=True)}, anchors, huge
        )
    for n, figure in enumerate(figures):
        for contender in figure.contenders:
            contender.name = DISPLAY.get(contender.name, contender.name)
        runs = 1 if figure.key.endswith(f"-{sizes[-1][0]}") and args.huge else args.runs
        log(f"figure {figure.key} ({figure.title}), {runs} run(s)")
        block.figures.append(measure(figure, runs, log))
        if n + 1 < len(figures):
            block.load_end = f"{uptime()} (after figure {n + 1} of {len(figures)})"
            block.source_end = source_fingerprint()
            add_checks_and_notes(block, key, sizes, corpora, anchors, args, verify=False)
            left = ", ".join(f.title for f in figures[n + 1 :])
            block.notes.insert(0, f"**INCOMPLETE: still to run when this was written: {left}.**")
            publish(block)
    block.load_end = f"{uptime()}; {disk_probe(WORK)}"
    block.source_end = source_fingerprint()
    log(f"block {key} done: {block.load_end}")
    add_checks_and_notes(block, key, sizes, corpora, anchors, args)
    return block


def publish(block: Block, no_write: bool) -> None:
    """Save the raw samples and, unless told not to, the block's section of RESULTS.md."""
    save_raw(block)
    if not no_write:
        write_section(RESULTS, block.key, render(block, *markers(block.key)))


def save_raw(block: Block) -> None:
    raw = {
        "block": block.key,
        "started": block.started,
        "command": block.command,
        "machine": block.machine,
        "load": [block.load_start, block.load_end],
        "source": [block.machine["source"], block.source_end],
        "figures": {
            f.key: {
                name: [
                    {
                        **{k: v for k, v in asdict(s).items() if k != "output"},
                        "timings": asdict(parse_timings(s.output)) if name == "presssite" else None,
                    }
                    for s in samples
                ]
                for name, samples in f.samples.items()
            }
            for f in block.figures
        },
    }
    (WORK / f"results-{block.key}.json").write_text(json.dumps(raw, indent=1), encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small corpora, to try the suite")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="BLOCK",
        help="pages, photos or scale (repeat or comma-separate)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (default 3)")
    parser.add_argument(
        "--anchors",
        type=Path,
        default=WORK / "anchors",
        help="folder of the anchor venvs (install.sh DIR)",
    )
    parser.add_argument(
        "--install-anchors",
        action="store_true",
        help="run shared/bench/anchors/install.sh into --anchors first",
    )
    parser.add_argument(
        "--all-anchors",
        action="store_true",
        help="also Pelican and Nikola on the pages block (slow)",
    )
    parser.add_argument(
        "--hugo-photos",
        action="store_true",
        help="one Hugo JPEG + WebP cold build of the photos corpus (~5 min)",
    )
    parser.add_argument(
        "--huge",
        action="store_true",
        help="scale block: add 100,000 releases (presssite only, one run)",
    )
    parser.add_argument(
        "--also-python",
        action="append",
        default=[],
        metavar="PYTHON",
        help="pages block: also time presssite's cold build on this interpreter (repeatable)",
    )
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    args = parser.parse_args(argv)
    only = [b for item in args.only for b in item.split(",") if b]
    unknown = set(only) - set(BLOCKS)
    if unknown:
        parser.error(f"unknown block(s): {', '.join(sorted(unknown))}; choose from {BLOCKS}")
    args.blocks = [b for b in BLOCKS if b in only] if only else list(BLOCKS)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def compile_presssite() -> None:
    """Run presssite as an installed package runs: from compiled bytecode.

    A shell with ``PYTHONDONTWRITEBYTECODE`` set would otherwise have every timed run
    compile presssite's modules from source again (about 0.1 s each time), which no
    installation does; Hugo's binary has nothing alike. The variable is dropped for the
    timed commands and the package compiled once, as ``pip install`` does.
    """
    import compileall

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(REPO / "src" / "presssite"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    set_log(WORK / "run.log")
    try:
        ensure_gnu_time()
        compile_presssite()
        args.also = [other_python(python) for python in args.also_python]
        if args.install_anchors:
            log(f"installing the anchors into {args.anchors} (install.sh)")
            run_quiet([str(ANCHORS / "install.sh"), str(args.anchors)], label="install.sh")
        anchors = Anchors(args.anchors.resolve(), args.all_anchors)
        log(f"anchors: {', '.join(anchors.names) or 'none (run with --install-anchors)'}")
        for key in args.blocks:
            block = run_block(key, args, anchors, lambda b: publish(b, args.no_write))
            publish(block, args.no_write)
            if not args.no_write:
                log(f"wrote the {block.key} section of {RESULTS.relative_to(REPO)}")
    except BenchError as error:
        log(f"FAILED: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
