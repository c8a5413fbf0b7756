"""Markdown for benchmarks/RESULTS.md: one section per block, replaced in place.

Each block (pages, photos, scale) owns the text between its own markers, so running one
block rewrites only its section and keeps every other section of the file (other
benchmarks write theirs there too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .figures import Figure
from .timing import Stats, parse_timings, summarise

PRESSSITE = "presssite"


@dataclass
class Check:
    """A target from the issues and whether this run met it (None: not measured)."""

    target: str
    measured: str
    met: bool | None


@dataclass
class Block:
    key: str  # pages | photos | scale
    title: str
    corpus: str  # how the corpus was made
    command: str
    quick: bool
    machine: dict[str, str]
    started: str
    load_start: str
    load_end: str = ""
    source_end: str = ""  # presssite's source fingerprint when the block ended
    figures: list[Figure] = field(default_factory=list)
    reference: str = "Hugo"  # the contender the ratio divides by
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def stats(figure: Figure, name: str) -> Stats | None:
    samples = figure.samples.get(name)
    return summarise(samples) if samples else None


def _figures_table(block: Block) -> list[str]:
    others = sorted(
        {n for f in block.figures for n in f.samples if n not in (PRESSSITE, block.reference)}
    )
    head = [
        "figure",
        "presssite s, median (min–max)",
        "presssite cpu s",
        "presssite peak MiB",
        f"{block.reference} s, median (min–max)",
        f"{block.reference} peak MiB",
        f"ratio presssite / {block.reference}",
        *[f"{n} s" for n in others],
        "runs",
    ]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for figure in block.figures:
        own, ref = stats(figure, PRESSSITE), stats(figure, block.reference)
        ratio = f"**{own.median / ref.median:.2f}**" if own and ref and ref.median else "–"
        cells = [
            figure.title,
            own.span() if own else "–",
            f"{own.cpu:.2f}" if own else "–",
            f"{own.peak_mib:.0f}" if own else "–",
            ref.span() if ref else "–",
            f"{ref.peak_mib:.0f}" if ref else "–",
            ratio,
        ]
        for name in others:
            other = stats(figure, name)
            cells.append(f"{other.span()} ({other.peak_mib:.0f} MiB)" if other else "–")
        runs = {n: len(s) for n, s in figure.samples.items()}
        cells.append(", ".join(f"{n} {k}" for n, k in runs.items()))
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _stages_table(block: Block) -> list[str]:
    parsed = []
    for figure in block.figures:
        own = stats(figure, PRESSSITE)
        if own:
            parsed.append((figure, own, parse_timings(own.median_sample.output)))
    if not parsed:
        return []
    stages: list[str] = []
    for _, _, timings in parsed:
        stages.extend(s for s in timings.stages if s not in stages)
    head = ["stage (ms)", *[figure.title for figure, _, _ in parsed]]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for stage in stages:
        cells = [stage]
        for _, _, timings in parsed:
            value = timings.stages.get(stage)
            cells.append(f"{value:.0f}" if value is not None else "–")
        rows.append("| " + " | ".join(cells) + " |")
    rows.append(
        "| sum of stages | "
        + " | ".join(f"{sum(t.stages.values()):.0f}" for _, _, t in parsed)
        + " |"
    )
    rows.append(
        "| whole process (wall) | "
        + " | ".join(f"{s.median * 1000:.0f}" for _, s, _ in parsed)
        + " |"
    )
    rows.append("| pages built | " + " | ".join(str(t.pages or "–") for _, _, t in parsed) + " |")
    rows.append("| counts | " + " | ".join(t.counts or "–" for _, _, t in parsed) + " |")
    return rows


def _source_change(block: Block) -> str:
    if not block.source_end or block.source_end == block.machine["source"]:
        return ", unchanged during the block"
    return (
        f"; **it changed to `{block.source_end}` during the block** (other work in the same "
        "tree): figures before and after the change are mixed"
    )


def render(block: Block, begin: str, end: str) -> str:
    quick = " — QUICK RUN (small corpora: not the target figures)" if block.quick else ""
    m = block.machine
    lines = [
        begin,
        f"## {block.title}{quick}",
        "",
        f"Produced by `{block.command}` on {block.started}.",
        f"Machine: {m['cores']} cores (`nproc`), {m['cpu']}, {m['memory']} RAM; Python "
        f"{m['python']}, Pillow {m['pillow']}; presssite at `{m['presssite']}` "
        f"(source fingerprint `{m['source']}`{_source_change(block)}).",
        f"Load at start: {block.load_start}; at end: {block.load_end}. The machine was shared "
        "with other work while this ran, so the figures are noisy; the runs alternate between "
        "the tools so that the noise falls on all of them and the ratios stay fair. The disk "
        "probe (a folder with a 16 KB page, made and removed, per 1,000) shows the file "
        "system's phase: in a slow one, creating files right after many were deleted costs "
        "far more, and not alike for both tools (benchmarks/README.md).",
        f"Corpus: {block.corpus}.",
        "",
        "Wall seconds of the whole process, timed from outside with "
        '`/usr/bin/time -f "%e %U %S %M"` (start-up included); median of the runs with '
        "min–max; cpu = user + system (median); peak = the largest peak RSS of a single "
        "process over the runs. Every timed command runs under `benchmarks/benchkit/reap.py`, "
        "which waits for the processes a build leaves behind (a fork server's pool workers), "
        "so their CPU and memory are counted too; its start-up (about 0.02 s) is in every "
        "tool's figure alike.",
    ]
    if block.quick:
        lines += ["", "**These figures come from a `--quick` run.**"]
    lines += ["", *_figures_table(block)]
    stages = _stages_table(block)
    if stages:
        lines += [
            "",
            "presssite's own `build --timings` for the median run of each figure:",
            "",
            *stages,
        ]
    if block.checks:
        lines += ["", "Targets (from the issues), as measured in this run:", ""]
        lines += ["| target | measured | met |", "| --- | --- | --- |"]
        for check in block.checks:
            verdict = {True: "yes", False: "**no**", None: "–"}[check.met]
            lines.append(f"| {check.target} | {check.measured} | {verdict} |")
    if block.notes:
        lines += ["", *[f"- {note}" for note in block.notes]]
    lines += [end, ""]
    return "\n".join(lines)


def write_section(results: Path, key: str, text_for: str) -> None:
    """Put a block's section in place of its previous one, or append it; keep all others."""
    begin, end = f"<!-- bench:{key}:begin -->", f"<!-- bench:{key}:end -->"
    current = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        _, tail = rest.split(end, 1)
        updated = head + text_for.rstrip("\n") + tail
    else:
        updated = current.rstrip("\n") + "\n\n" + text_for
    results.write_text(updated, encoding="utf-8")


def markers(key: str) -> tuple[str, str]:
    return f"<!-- bench:{key}:begin -->", f"<!-- bench:{key}:end -->"
