"""The targets of issues 3 and 7, checked against a block's figures.

Each check states the target as the issue words it, what this run measured, and whether
it was met; a figure that was not measured (no Hugo installed, ``--hugo-photos`` not given)
is reported as such rather than dropped, so the reader sees what is missing.
"""

from __future__ import annotations

import re

from .report import PRESSSITE, Block, Check, stats
from .timing import Stats, parse_timings


def _get(block: Block, figure_key: str, name: str = PRESSSITE) -> Stats | None:
    for figure in block.figures:
        if figure.key == figure_key:
            return stats(figure, name)
    return None


def _ratio_check(
    target: str,
    own: Stats | None,
    ref: Stats | None,
    limit: float,
    ref_name: str,
    hard: float | None = None,
) -> Check:
    if not own or not ref:
        return Check(target, f"{ref_name} not measured", None)
    ratio = own.median / ref.median
    note = f" (above {hard}: not acceptable)" if hard and ratio > hard else ""
    return Check(
        target,
        f"{own.median:.2f} s / {ref.median:.2f} s = {ratio:.2f}{note}",
        ratio <= limit,
    )


def _below(target: str, own: Stats | None, seconds: float) -> Check:
    if not own:
        return Check(target, "not measured", None)
    return Check(target, f"{own.median:.2f} s", own.median < seconds)


def pages(block: Block) -> list[Check]:
    """Issue 7, point 2, on the 1,000-release corpus."""
    cold, warm = _get(block, "cold"), _get(block, "warm")
    hugo_warm = _get(block, "warm", "Hugo")
    faster = Check("no-change rebuild faster than Hugo's warm rebuild", "Hugo not measured", None)
    if warm and hugo_warm:
        faster = Check(
            faster.target,
            f"{warm.median:.2f} s vs {hugo_warm.median:.2f} s",
            warm.median < hugo_warm.median,
        )
    return [
        _ratio_check(
            "cold build no slower than Hugo's (ratio <= 1.0; not above 1.5)",
            cold,
            _get(block, "cold", "Hugo"),
            1.0,
            "Hugo",
            hard=1.5,
        ),
        *(
            _ratio_check(
                f"cold build on another interpreter ({name}), no slower than Hugo's",
                _get(block, "cold", name),
                _get(block, "cold", "Hugo"),
                1.0,
                "Hugo",
                hard=1.5,
            )
            for name in _other_presssites(block, "cold")
        ),
        _below("no-change rebuild under 0.5 s", warm, 0.5),
        faster,
        _below("one-release edit rebuilt in under 1 s", _get(block, "edit-release"), 1.0),
    ]


def _other_presssites(block: Block, figure_key: str) -> list[str]:
    """The contenders of a figure that are presssite on another interpreter."""
    for figure in block.figures:
        if figure.key == figure_key:
            return [n for n in figure.samples if n.startswith(f"{PRESSSITE}, ")]
    return []


KIT_TEXTS = re.compile(r"press-kit texts made (\d+)")


def _processed(own: Stats | None) -> int | None:
    return parse_timings(own.median_sample.output).images_processed if own else None


def photos(block: Block) -> list[Check]:
    """Issue 3's targets on the photos corpus."""
    cold, warm = _get(block, "cold"), _get(block, "warm")
    replaced = _get(block, "replace-photo")
    hugo = _get(block, "cold", "Hugo")
    checks = [
        _ratio_check(
            "cold build no slower than the Pillow floor, same widths and formats, "
            "all cores (ratio <= 1.0; not above 1.3)",
            cold,
            _get(block, "cold", "floor"),
            1.0,
            "floor",
            hard=1.3,
        ),
    ]
    if cold and hugo:
        speedup = hugo.median / cold.median
        checks.append(
            Check(
                "at least 3x faster than Hugo's cold build (JPEG + WebP, same run)",
                f"Hugo {hugo.median:.1f} s / presssite {cold.median:.1f} s = {speedup:.2f}x",
                speedup >= 3,
            )
        )
    else:
        checks.append(
            Check(
                "at least 3x faster than Hugo's cold build (JPEG + WebP, same run)",
                "Hugo not measured (run with --hugo-photos)",
                None,
            )
        )
    if cold and warm:
        share = warm.median / cold.median
        checks.append(
            Check(
                "no-change rebuild under 5% of the cold build",
                f"{warm.median:.2f} s = {share:.1%} of {cold.median:.2f} s",
                share < 0.05,
            )
        )
    processed = _processed(warm)
    checks.append(
        Check(
            "no-change rebuild decodes no photo",
            f"images processed: {processed}",
            None if processed is None else processed == 0,
        )
    )
    processed = _processed(replaced)
    checks.append(
        Check(
            "rebuild after replacing one photo re-encodes that photo only",
            f"images processed: {processed}",
            None if processed is None else processed == 1,
        )
    )
    deploy = _get(block, "ci")
    texts = KIT_TEXTS.search(deploy.median_sample.output) if deploy else None
    checks.append(
        Check(
            "CI deploy after one new release decodes no cached photo and works out the "
            "press-kit texts of that release alone (2 locales)",
            f"images processed: {_processed(deploy)}; "
            + (f"press-kit texts made {texts.group(1)}" if texts else "no kit count"),
            None if texts is None else (_processed(deploy) == 0 and texts.group(1) == "2"),
        )
    )
    return checks


def scale(block: Block, sizes: list[tuple[int, int]]) -> list[Check]:
    """Issue 7, point 3: the growth curve and peak memory."""
    small, large = sizes[0][0], sizes[1][0]
    a, b = _get(block, f"cold-{small}"), _get(block, f"cold-{large}")
    checks = []
    if a and b:
        growth = b.median / a.median
        factor = large // small
        checks.append(
            Check(
                f"{large:,} releases build in at most {factor}x the {small:,}-release time",
                f"{b.median:.2f} s / {a.median:.2f} s = {growth:.2f}x",
                growth <= factor,
            )
        )
        checks.append(
            Check(
                f"{large:,} releases: peak memory under 1 GB",
                f"{b.peak_mib:.0f} MiB",
                b.peak_mib < 1024,
            )
        )
    ha, hb = _get(block, f"cold-{small}", "Hugo"), _get(block, f"cold-{large}", "Hugo")
    if ha and hb:
        checks.append(
            Check(
                f"(Hugo, for comparison) {large:,} / {small:,} releases cold",
                f"{hb.median:.2f} s / {ha.median:.2f} s = {hb.median / ha.median:.2f}x"
                f", peak {hb.peak_mib:.0f} MiB",
                None,
            )
        )
    for articles in (small, large):
        deploy, cold = _get(block, f"ci-{articles}"), _get(block, f"cold-{articles}")
        hugo = _get(block, f"cold-{articles}", "Hugo")
        if deploy and cold:
            share = deploy.median / cold.median
            checks.append(
                Check(
                    f"CI deploy, {articles:,} releases: at most 25% of the cold build",
                    f"{deploy.median:.2f} s / {cold.median:.2f} s = {share:.0%}",
                    share <= 0.25,
                )
            )
        if deploy and hugo:
            checks.append(
                Check(
                    f"CI deploy, {articles:,} releases: faster than Hugo's (cold) build",
                    f"{deploy.median:.2f} s vs {hugo.median:.2f} s",
                    deploy.median < hugo.median,
                )
            )
    if len(sizes) > 2:
        huge = _get(block, f"cold-{sizes[2][0]}")
        checks.append(
            Check(
                f"{sizes[2][0]:,} releases build with peak memory under 2 GB",
                f"{huge.median:.2f} s, {huge.peak_mib:.0f} MiB" if huge else "not measured",
                None if not huge else huge.peak_mib < 2048,
            )
        )
    return checks


def run_order(block: Block) -> list[str]:
    """For each cold figure with several runs: every contender's runs in the order they
    ran, and the ratio of the first runs alone.

    A cold build deletes the previous output inside its timing. On this machine's disk
    each deletion slows the inode allocation of the builds that follow for minutes
    (benchmarks/README.md), so a tool's cold runs can grow run after run, and then the
    median depends on how many runs were taken. The runs in order show it; the first
    runs of a figure are the ones least affected by the figure's own earlier runs.
    """
    notes = []
    for figure in block.figures:
        runs = {name: samples for name, samples in figure.samples.items() if len(samples) > 1}
        if not figure.key.startswith("cold") or len(runs) < 2:
            continue
        parts = [
            f"{name} {', '.join(f'{s.wall:.2f}' for s in samples)} "
            f"(system {samples[0].sys:.2f} → {samples[-1].sys:.2f})"
            for name, samples in runs.items()
        ]
        line = f"{figure.title}, runs in order (wall s): {'; '.join(parts)}."
        own, ref = runs.get(PRESSSITE), runs.get(block.reference)
        if own and ref:
            first = own[0].wall / ref[0].wall
            line += f" First runs alone: {own[0].wall:.2f} s / {ref[0].wall:.2f} s = {first:.2f}."
        notes.append(line)
    return notes


def search(block: Block, sizes: list[tuple[int, int]]) -> list[Check]:
    """Issue 21, point 5: search beside Hugo followed by Pagefind."""
    checks = []
    for articles, _ in sizes:
        ref = "Hugo + Pagefind"
        checks.append(
            _ratio_check(
                f"{articles:,} releases: cold build with search at most 1.5x Hugo + Pagefind",
                _get(block, f"cold-{articles}"),
                _get(block, f"cold-{articles}", ref),
                1.5,
                ref,
            )
        )
        checks.append(
            _ratio_check(
                f"{articles:,} releases: one-release edit with search at most half of "
                "Hugo + Pagefind",
                _get(block, f"edit-{articles}"),
                _get(block, f"edit-{articles}", ref),
                0.5,
                ref,
            )
        )
    return checks
