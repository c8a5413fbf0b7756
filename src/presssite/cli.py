"""The ``presssite`` command line: the only place that prints errors and picks exit codes.

Exit status: 0 success, 1 a problem in the site (content, templates, images), 2 a
problem in how presssite was asked to run (settings, options). Problems are printed
as ``path:line: key: message`` with a hint, never as a traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from presssite import settings as settings_
from presssite.errors import PresssiteError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    root = logging.getLogger("presssite")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


@contextmanager
def reported(site_dir: Path | None = None) -> Iterator[None]:
    """Turn ``PresssiteError`` into printed messages and the error's exit status."""
    try:
        yield
    except PresssiteError as exc:
        relative_to = site_dir.resolve() if site_dir is not None else None
        click.echo(exc.format(relative_to=relative_to), err=True)
        count = len(getattr(exc, "errors", [exc]))
        if count > 1:
            click.echo(f"{count} problems found; nothing was published.", err=True)
        sys.exit(exc.exit_code)


def parse_now(value: str | None) -> datetime | None:
    """``--now``: an ISO 8601 instant with its UTC offset."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"not an ISO 8601 date and time: {value!r}",
            key="--now",
            hint="e.g. --now 2026-01-31T09:00:00+07:00",
        ) from None
    if parsed.tzinfo is None:
        raise UsageError(
            f"--now needs a UTC offset: {value!r}",
            key="--now",
            hint="e.g. --now 2026-01-31T09:00:00+07:00",
        )
    return parsed


def site_option(func: F) -> F:
    return click.option(
        "--site",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default="the current folder",
        help="The site folder (holds presssite.toml).",
    )(func)


def load_settings(site_dir: Path) -> settings_.Settings:
    if not site_dir.is_dir():
        raise UsageError(f"no such folder: {site_dir}", key="--site")
    return settings_.load(site_dir)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="presssite")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
def main(verbose: bool) -> None:
    """presssite: bilingual press-release portals as fast static sites."""
    _setup_logging(verbose)


@main.command()
@site_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder.  [default: the site's build/]",
)
@click.option("--drafts", is_flag=True, help="Include drafts.")
@click.option("--now", "now_text", metavar="ISO", help="Build clock for embargoes and expiry.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for pages and photos.  [default: all cores]",
)
@click.option(
    "--executor",
    metavar="URL",
    default=None,
    help="Where photos are processed: local, or a dask scheduler dask://HOST:PORT "
    "(needs presssite[dask]).  [default: [images] executor, else local]",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the build cache.")
@click.option("--timings", is_flag=True, help="Print each stage's time and counts.")
@click.option(
    "--strict",
    is_flag=True,
    help="Treat warnings (broken internal links and images) as errors: publish nothing.",
)
def build(
    site_dir: Path,
    out: Path | None,
    drafts: bool,
    now_text: str | None,
    jobs: int | None,
    executor: str | None,
    no_cache: bool,
    timings: bool,
    strict: bool,
) -> None:
    """Build the site into its output folder, atomically."""
    from dataclasses import replace

    from presssite import build as build_
    from presssite.images import executors

    with reported(site_dir):
        now = parse_now(now_text)
        settings = load_settings(site_dir)
        if executor is not None:
            executors.parse(executor)  # a usage error before anything runs
            images = replace(settings.images, executor=None if executor == "local" else executor)
            settings = replace(settings, images=images)
        target = out if out is not None else settings.root / "build"
        report = build_.build(
            settings,
            target=target,
            now=now,
            include_drafts=drafts,
            jobs=jobs,
            progress=sys.stderr.isatty(),
            strict=strict,
            cache=not no_cache,
        )
    click.echo(summary(report, settings))
    if timings:
        click.echo(timing_lines(report))


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
        f"output files written {report.files_changed}, removed {report.files_removed} "
        f"({report.publish_mode})",
    ]
    return "\n".join(lines)


def summary(report: Any, settings: settings_.Settings) -> str:
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
    if report.uncredited:
        lines.append(f"  photos with neither caption nor credit: {len(report.uncredited)}")
        lines.extend(f"    {p}" for p in report.uncredited)
    return "\n".join(lines)


@main.command()
@site_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8000,
    show_default=True,
    help="Port to listen on; when the default is taken, the next free one is used.",
)
@click.option("--no-drafts", is_flag=True, help="Hide drafts (embargoed releases stay shown).")
@click.option("--now", "now_text", metavar="ISO", help="Build clock for embargoes and expiry.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
@click.pass_context
def serve(
    ctx: click.Context,
    site_dir: Path,
    host: str,
    port: int,
    no_drafts: bool,
    now_text: str | None,
    open_browser: bool,
) -> None:
    """Preview the site with drafts, rebuilding and reloading the browser on every save."""
    from presssite.serve import command as serve_

    explicit = ctx.get_parameter_source("port") != click.core.ParameterSource.DEFAULT
    with reported(site_dir):
        serve_.serve(
            load_settings(site_dir),
            host=host,
            port=port,
            strict_port=explicit,
            drafts=not no_drafts,
            now=parse_now(now_text),
            open_browser=open_browser,
            echo=click.echo,
        )


@main.command()
@site_option
@click.option("--no-build", is_flag=True, help="Publish the existing build/ as it is.")
@click.option("--remote", default="origin", show_default=True, help="The git remote.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch to publish.")
@click.option(
    "--message",
    "-m",
    default=None,
    help="Commit message; {sha} and {version} are filled in.  "
    "[default: Deploy {sha} with presssite {version}]",
)
@click.option("--force", is_flag=True, help="Replace the remote branch even if it diverged.")
@click.option("--dry-run", is_flag=True, help="Say what would be published; change nothing.")
def deploy(
    site_dir: Path,
    no_build: bool,
    remote: str,
    branch: str,
    message: str | None,
    force: bool,
    dry_run: bool,
) -> None:
    """Build the site and publish it to the gh-pages branch of a git remote."""
    from presssite import deploy as deploy_

    with reported(site_dir):
        settings = load_settings(site_dir)
        result = deploy_.deploy(
            settings,
            remote=remote,
            branch=branch,
            message=message,
            force=force,
            dry_run=dry_run,
            build=not no_build,
            progress=sys.stderr.isatty(),
        )
    click.echo(deploy_summary(result))


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


def _locale_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--locales", default="id,en", show_default=True, help="Comma-separated; the first is default."
)
@click.option(
    "--base-url",
    default="https://example.org/",
    show_default=True,
    help="Where the site is served, e.g. https://owner.github.io/repo/",
)
@click.option("--title", default=None, help="The site's title.  [default: one per locale]")
@click.option("--timezone", default="UTC", show_default=True, help="IANA time zone name.")
def init(folder: Path, locales: str, base_url: str, title: str | None, timezone: str) -> None:
    """Create a new site in FOLDER, with an example release in every locale."""
    from presssite import scaffold

    with reported(folder):
        written = scaffold.init_site(
            folder,
            locales=_locale_list(locales),
            base_url=base_url,
            title=title,
            timezone=timezone,
        )
    click.echo(f"Created a new site in {folder}:")
    for path in written:
        click.echo(f"  {path}")
    if base_url == "https://example.org/":
        click.echo("Set base_url in presssite.toml to the address the site will be served at.")
    click.echo(f"Next: presssite build --site {folder}  (then presssite serve)")


@main.group()
def new() -> None:
    """Create new content, ready to fill in."""


@new.command("press")
@click.argument("title")
@click.option("--date", "date_text", metavar="ISO", help="Release date.  [default: now]")
@site_option
def new_press(title: str, date_text: str | None, site_dir: Path) -> None:
    """Create a dated press release bundle with one file per locale."""
    from presssite import scaffold

    with reported(site_dir):
        settings = load_settings(site_dir)
        when = scaffold.parse_date(date_text, settings.tz)
        written = scaffold.new_press(settings, title, when=when)
    for path in written:
        click.echo(str(path))


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--locale", required=True, help="The article's language, one of the site's.")
@click.option("--title", required=True, help="The release's title in that language.")
@click.option(
    "--date", "date_text", metavar="ISO", help="Release date.  [default: the bundle's, else now]"
)
@click.option("--section", default="press", show_default=True, help="Folder of a new bundle.")
@click.option(
    "--photos",
    "photos_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="One photo per image of the text, in name order.",
)
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="BUNDLE",
    help="Add the translation to this bundle, reusing its photos.",
)
@click.option("--fetch", is_flag=True, help="Download the images' http(s) URLs.")
@click.option("--source-name", metavar="NAME", help="The source's name.  [default: its host]")
@site_option
def import_(
    file: Path,
    locale: str,
    title: str,
    date_text: str | None,
    section: str,
    photos_dir: Path | None,
    into: Path | None,
    fetch: bool,
    source_name: str | None,
    site_dir: Path,
) -> None:
    """Make a draft release of FILE, a translated article pasted as plain text."""
    from presssite import scaffold
    from presssite.importer import command as importer

    with reported(site_dir):
        settings = load_settings(site_dir)
        request = importer.Request(
            file=file,
            locale=locale,
            title=title,
            when=scaffold.parse_date(date_text, settings.tz) if date_text else None,
            section=section,
            photos=photos_dir,
            into=into,
            fetch=fetch,
            source_name=source_name,
        )
        imported = importer.run(settings, request)
    click.echo(importer.summary(imported, request))


@main.command()
@site_option
@click.option("--now", "now_text", metavar="ISO", help="List embargoes after this instant.")
@click.option("--next", "next_only", is_flag=True, help="Print only the next instant.")
def embargoes(site_dir: Path, now_text: str | None, next_only: bool) -> None:
    """List the embargoes that lift after now, soonest first.

    With --next, print only the next instant (ISO 8601), for a scheduler to rebuild
    the site then; nothing when no embargo is pending.
    """
    from presssite.content.bundles import load_bundles
    from presssite.site import assemble as site_

    with reported(site_dir):
        now = parse_now(now_text) or datetime.now(UTC)
        settings = load_settings(site_dir)
        pending = site_.upcoming_embargoes(load_bundles(settings), now)
    tz = settings.tz
    if next_only:
        if pending:
            click.echo(pending[0].lifts.astimezone(tz).isoformat())
        return
    if not pending:
        click.echo(f"No embargo lifts after {now.astimezone(tz).isoformat()}.")
        return
    width = max(len(e.bundle) for e in pending)
    for e in pending:
        when = e.lifts.astimezone(tz).isoformat()
        click.echo(f"{when}  {e.locale:<5} {e.bundle:<{width}}  {e.title}")


@main.command()
@site_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table for people, JSON for tools.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 when any is missing or stale.")
def translations(site_dir: Path, fmt: str, strict: bool) -> None:
    """Show every document's translations by locale: present, missing or stale.

    Every document in content/ counts, drafts and embargoed ones included.
    """
    import json

    from presssite.content.bundles import load_bundles
    from presssite.site.status import translation_status

    with reported(site_dir):
        settings = load_settings(site_dir)
        status = translation_status(settings, load_bundles(settings))
    if fmt == "json":
        click.echo(json.dumps(status.to_json(settings.root), ensure_ascii=False, indent=2))
    else:
        _print_translations(status)
    if strict and (status.missing or status.stale):
        click.echo(
            f"{len(status.missing)} missing and {len(status.stale)} stale translations.",
            err=True,
        )
        sys.exit(1)


def _print_translations(status: Any) -> None:
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
