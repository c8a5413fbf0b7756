"""The ``presssite`` command line: the only place that prints errors and picks exit codes.

Exit status: 0 success, 1 a problem in the site (content, templates, images), 2 a
problem in how presssite was asked to run (settings, options). Problems are printed
as ``path:line: key: message`` with a hint, never as a traceback.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from presssite.options import (
    NOTHING_DUE,
    due_options,
    load_settings,
    locale_list,
    parse_now,
    site_option,
)
from presssite.reporting import reported, setup_logging
from presssite.summaries import (
    PUBLIC_REPOSITORY_NOTE,
    deploy_summary,
    due_lines,
    embargo_lines,
    print_translations,
    summary,
    timing_lines,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="presssite")
@click.option("-v", "--verbose", is_flag=True, help="Say more about what happens.")
@click.option(
    "--debug", is_flag=True, help="Show the traceback of an unexpected error (a bug) in full."
)
def main(verbose: bool, debug: bool) -> None:
    """presssite: bilingual press-release portals as fast static sites."""
    setup_logging(verbose)


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
@click.option("--force", is_flag=True, help="Replace a diverged remote branch; publish a preview.")
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
@click.option(
    "--presssite-version",
    "version_spec",
    metavar="SPEC",
    default=None,
    help="What the GitHub workflow installs: a version (0.4.0), a spec (>=0.4,<0.5) or "
    "a URL (git+https://github.com/owner/presssite@main).  [default: this version]",
)
def init(
    folder: Path,
    locales: str,
    base_url: str,
    title: str | None,
    timezone: str,
    version_spec: str | None,
) -> None:
    """Create a new site in FOLDER, with an example release in every locale."""
    from presssite import scaffold

    with reported(folder):
        written = scaffold.init_site(
            folder,
            locales=locale_list(locales),
            base_url=base_url,
            title=title,
            timezone=timezone,
            presssite_version=version_spec,
        )
    click.echo(f"Created a new site in {folder}:")
    for path in written:
        click.echo(f"  {path}")
    if base_url == "https://example.org/":
        click.echo("Set base_url in presssite.toml to the address the site will be served at.")
    click.echo(f"Next: presssite build --site {folder}  (then presssite serve)")


@main.command()
@click.argument("section")
@click.argument("title")
@click.option("--date", "date_text", metavar="ISO", help="Release date.  [default: now]")
@site_option
def new(section: str, title: str, date_text: str | None, site_dir: Path) -> None:
    """Create a dated release of SECTION (press, statements, ...) with one file per locale.

    A section is a top-level folder of content/; a new name starts a new section.
    """
    from presssite import scaffold

    with reported(site_dir):
        settings = load_settings(site_dir)
        when = scaffold.parse_date(date_text, settings.tz)
        written = scaffold.new_release(settings, section, title, when=when)
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
@due_options
def embargoes(
    site_dir: Path,
    now_text: str | None,
    next_only: bool,
    within_text: str | None,
    since_text: str | None,
) -> None:
    """List the embargoes that lift after now, soonest first.

    With --next, print only the next instant (ISO 8601), or nothing. With --due-within,
    say whether a rebuild is due now (exit 0) or not (exit 3), for a scheduled job.
    """
    from presssite.content.bundles import load_bundles
    from presssite.site import assemble as site_
    from presssite.site import schedule

    with reported(site_dir):
        now = parse_now(now_text) or datetime.now(UTC)
        since = parse_now(since_text.replace("Z", "+00:00") if since_text else None)
        within = schedule.parse_duration(within_text, key="--due-within") if within_text else None
        settings = load_settings(site_dir)
        bundles = load_bundles(settings)
    if within is not None:
        found = schedule.due(bundles, now=now, within=within, since=since)
        click.echo(due_lines(found, settings.tz))
        if not found:
            sys.exit(NOTHING_DUE)
        return
    pending = site_.upcoming_embargoes(bundles, now)
    if next_only:
        if pending:
            click.echo(pending[0].lifts.astimezone(settings.tz).isoformat())
        return
    click.echo(embargo_lines(pending, now, settings.tz))
    click.echo(PUBLIC_REPOSITORY_NOTE, err=True)  # stdout stays one row per embargo


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
    """Show every document's translations by locale (drafts and embargoed ones included):
    present, missing or stale."""
    import json

    from presssite.content.bundles import load_bundles
    from presssite.site import status as status_

    with reported(site_dir):
        settings = load_settings(site_dir)
        status = status_.translation_status(settings, load_bundles(settings))
    if fmt == "json":
        click.echo(json.dumps(status.to_json(settings.root), ensure_ascii=False, indent=2))
    else:
        print_translations(status)
    if strict and (status.missing or status.stale):
        click.echo(
            f"{len(status.missing)} missing and {len(status.stale)} stale translations.",
            err=True,
        )
        sys.exit(1)
