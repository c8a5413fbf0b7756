"""What the commands print when they succeed: the build summary, timings, the deploy
result, the embargoes waiting or due, the translations table. Plain functions of a
report, so tests read them without a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from presssite.settings import Settings


def timing_lines(report: Any) -> str:
    """``--timings``: each stage's time, then what was done and what was reused."""
    lines = ["Stages (feeds are made while the page workers render):"]
    lines += [f"  {stage:<17} {sec * 1000:8.1f} ms" for stage, sec in report.timings.items()]
    if report.unchanged:
        lines.append("Nothing changed since the last build: nothing was redone.")
    lines += [
        f"  documents parsed {report.documents_parsed}, reused {report.documents_reused}; "
        f"pages rendered {report.pages_rendered}, unchanged {report.pages_reused}; "
        f"feeds made {report.feeds_made}, unchanged {report.feeds_reused}",
        f"  images processed {report.images_processed}, cached {report.images_cached}; "
        f"press-kit texts made {report.kit_texts_made}, kept {report.kit_texts_kept}; "
        f"output files written {report.files_changed}, removed {report.files_removed} "
        f"({report.publish_mode})",
    ]
    return "\n".join(lines)


def summary(report: Any, settings: Settings) -> str:
    """The few lines ``presssite build`` prints when it succeeds."""
    per_locale = ", ".join(f"{loc} {report.documents.get(loc, 0)}" for loc in settings.locales)
    lines = [
        f"Built {report.pages} pages into {report.target} in {report.elapsed:.2f} s",
        f"  documents: {per_locale}",
        f"  photos: {report.photos} ({report.images_processed} processed, "
        f"{report.images_cached} from cache)",
    ]
    if report.missing:
        lines.append(f"  missing translations: {len(report.missing)}")
        lines.extend(f"    {bundle} [{loc}]" for bundle, loc in report.missing)
    if report.stale:
        lines.append(f"  stale translations: {len(report.stale)}")
        lines.extend(f"    {b} [{loc}] ({new} changed after it)" for b, loc, new in report.stale)
    if report.broken:
        lines.append(f"  broken internal links and images: {len(report.broken)} (see warnings)")
    lines.extend(f"  note: {note}" for note in report.notes)
    if report.uncredited:
        lines.append(f"  photos with neither caption nor credit: {len(report.uncredited)}")
        lines.extend(f"    {p}" for p in report.uncredited)
    return "\n".join(lines)


def deploy_summary(result: Any) -> str:
    """The lines ``presssite deploy`` prints when it succeeds."""
    plan = result.plan
    where = f"{plan.remote}/{plan.branch} ({plan.remote_url})"
    extra = " + .nojekyll" + (" + CNAME" if plan.cname else "")
    if result.dry_run:
        lines = [
            "Dry run: nothing was committed or pushed, and build/ is as it was.",
            f"  would publish: {plan.files} files{extra}",
            f"  to: {where}",
            f"  source commit: {plan.source_commit}",
            f"  message: {plan.message.splitlines()[0]}",
        ]
        if plan.replaces_history:
            lines.append(f"  would replace the history of {plan.remote}/{plan.branch} (--force)")
        return "\n".join(lines)
    if result.commit is None:
        state = "pushed" if result.pushed else "nothing to push"
        return (
            f"No change: {where} already has this site ({state}; source {plan.source_commit[:12]})."
        )
    return (
        f"Deployed {plan.files} files{extra} to {where}\n"
        f"  commit {result.commit[:12]}: {plan.message.splitlines()[0]}"
    )


PUBLIC_REPOSITORY_NOTE = (
    "Note: the text of an embargoed release is public as soon as it is pushed to a public "
    "repository (anyone can read the sources, whatever the site shows). Keep embargoed "
    "releases in a private repository, or on a private branch until their embargo lifts."
)


def embargo_lines(pending: Sequence[Any], now: datetime, tz: tzinfo) -> str:
    """``presssite embargoes``: one row per embargo waiting, in the site's time zone."""
    if not pending:
        return f"No embargo lifts after {now.astimezone(tz).isoformat()}."
    width = max(len(e.bundle) for e in pending)
    return "\n".join(
        f"{e.lifts.astimezone(tz).isoformat()}  {e.locale:<5} {e.bundle:<{width}}  {e.title}"
        for e in pending
    )


def due_lines(found: Sequence[Any], tz: tzinfo) -> str:
    """``presssite embargoes --due-within``: what is due, or that nothing is."""
    if not found:
        return "Nothing due: no embargo lifts and no release expires in the window."
    return "\n".join(
        f"due: {c.when.astimezone(tz).isoformat()}  {c.kind:<13} {c.locale:<5} {c.bundle}"
        for c in found
    )


def print_translations(status: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    counts = status.counts()
    table = Table(show_footer=True, box=None, pad_edge=False)
    table.add_column("document", footer="total", overflow="fold")
    for loc in status.locales:
        c = counts[loc]
        table.add_column(
            loc, footer=f"{c['present']} present, {c['missing']} missing, {c['stale']} stale"
        )
    for doc in status.documents:
        cells = []
        for loc in status.locales:
            entry = doc.entries[loc]
            cells.append(f"stale ({entry.newer} newer)" if entry.state == "stale" else entry.state)
        table.add_row(doc.bundle, *cells)
    # A pipe or a CI log has no width: print the table at its natural width there.
    Console(width=None if sys.stdout.isatty() else 1000).print(table)
