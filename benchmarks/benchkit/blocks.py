"""The figures of each block, and the notes and checks that go with them."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from . import checks as checks_
from .deploy import CiDeploy
from .figures import (
    Contender,
    Figure,
    Restorer,
    chain,
    comment_template,
    install_template,
    release_edit,
    replace_photo,
    warm_up,
)
from .report import Block
from .sites import (
    ANCHORS,
    DISPLAY,
    HUGO_TEMPLATE,
    REPO,
    THEME_TEMPLATE,
    WORK,
    Anchors,
    Presssite,
    first_bundle,
    installation,
    site_inputs,
)


def pages_figures(
    ps: Presssite, anchors: Anchors, corpus_dir: Path, also: dict[str, Presssite] | None = None
) -> list[Figure]:
    """The pages block; ``also`` adds presssite on other interpreters to the cold build."""
    bundle = first_bundle(corpus_dir / "content")
    sites = {name: anchors.site(name, corpus_dir) for name in anchors.names}
    cold = [ps.cold_contender()]
    cold += [other.cold_contender(label) for label, other in (also or {}).items()]
    warm = [ps.contender(setup=warm_up(ps.warm(), ps.site))]
    for name, site in sites.items():
        cold.append(anchors.cold_contender(name, site))
        build = anchors.command(name, site, "warm")
        warm.append(
            Contender(name, build, site, anchors.env, setup=warm_up(build, site, anchors.env))
        )
    figures = [Figure("cold", "cold build", cold), Figure("warm", "no-change rebuild", warm)]

    release, template = [release_edit("presssite", ps.warm(), ps.site, bundle)], []
    t = Restorer()
    override = ps.site / "templates" / THEME_TEMPLATE.name
    template.append(
        ps.contender(
            setup=chain(install_template(t, override, THEME_TEMPLATE), warm_up(ps.warm(), ps.site)),
            before=comment_template(t, override, THEME_TEMPLATE, "</article>"),
            teardown=chain(t.restore, lambda: _rmdir_if_empty(override.parent)),
        )
    )
    if "hugo" in sites:
        site, build = sites["hugo"], anchors.command("hugo", sites["hugo"], "warm")
        ht = Restorer()
        release.append(release_edit("hugo", build, site, bundle, anchors.env))
        template.append(
            Contender(
                "hugo",
                build,
                site,
                anchors.env,
                setup=warm_up(build, site, anchors.env),
                before=comment_template(
                    ht, site / "layouts" / "page.html", HUGO_TEMPLATE, "</article>"
                ),
                teardown=ht.restore,
            )
        )
    figures += [
        Figure("edit-release", "rebuild after editing one release", release),
        Figure("edit-template", "rebuild after editing one template", template),
    ]
    return figures


def _rmdir_if_empty(folder: Path) -> None:
    if folder.exists() and not any(folder.iterdir()):
        folder.rmdir()


def photos_figures(
    ps: Presssite, anchors: Anchors, corpus_dir: Path, with_hugo: bool
) -> list[Figure]:
    floor = [
        str(Path(sys.executable)),
        str(ANCHORS / "floor.py"),
        str(corpus_dir),
        "--procs",
        str(os.cpu_count() or 1),
        "--webp",
    ]
    reads = (*site_inputs(corpus_dir), *installation(Path(sys.prefix)))
    cold = [ps.cold_contender(), Contender("floor", floor, corpus_dir, reads=reads)]
    warm = [ps.contender(setup=warm_up(ps.warm(), ps.site))]
    bundle = first_bundle(corpus_dir / "content")
    photo_rel = Path("content") / "press" / bundle / "photos"
    photo = sorted(p.name for p in (corpus_dir / photo_rel).iterdir() if p.suffix == ".jpg")[0]
    r = Restorer()
    replace = [
        ps.contender(
            setup=warm_up(ps.warm(), ps.site),
            before=replace_photo(r, [ps.site / photo_rel / photo]),
            teardown=r.restore,
        )
    ]
    if with_hugo and "hugo" in anchors.names:
        site = anchors.site("hugo", corpus_dir)
        build = anchors.command("hugo", site, "warm")
        cold.append(anchors.cold_contender("hugo", site, runs=1))
        warm.append(
            Contender("hugo", build, site, anchors.env, setup=warm_up(build, site, anchors.env))
        )
        hr = Restorer()
        replace.append(
            Contender(
                "hugo",
                build,
                site,
                anchors.env,
                setup=warm_up(build, site, anchors.env),
                before=replace_photo(hr, [site / photo_rel / photo]),
                teardown=hr.restore,
            )
        )
    deploy = CiDeploy(ps, WORK / "ci-photos")
    return [
        Figure("cold", "cold build (no cache, no output)", cold),
        Figure("warm", "no-change rebuild", warm),
        Figure("replace-photo", "rebuild after replacing one photo", replace),
        Figure("ci", "CI deploy after one new release", [deploy.contender()]),
    ]


def scale_figures(ps_for: dict[int, Presssite], anchors: Anchors, huge: int | None) -> list[Figure]:
    figures = []
    for articles, ps in ps_for.items():
        cold = [ps.cold_contender()]
        warm = [ps.contender(setup=warm_up(ps.warm(), ps.site))]
        if "hugo" in anchors.names and articles != huge:
            site = anchors.site("hugo", ps.site)
            build = anchors.command("hugo", site, "warm")
            cold.append(anchors.cold_contender("hugo", site))
            warm.append(
                Contender("hugo", build, site, anchors.env, setup=warm_up(build, site, anchors.env))
            )
        figures += [
            Figure(f"cold-{articles}", f"cold build, {articles:,} releases", cold),
            Figure(f"warm-{articles}", f"no-change rebuild, {articles:,} releases", warm),
        ]
        if articles != huge:  # Hugo's figure to compare with is its cold build above
            deploy = CiDeploy(ps, WORK / f"ci-a{articles}")
            title = f"CI deploy after one new release, {articles:,} releases"
            figures.append(Figure(f"ci-{articles}", title, [deploy.contender()]))
    return figures


def pagefind_binary() -> Path:
    """The Pagefind binary of this venv (``pagefind[bin]``, presssite's own dependency)."""
    import pagefind_bin

    return Path(pagefind_bin.__file__).parent / "pagefind"


def search_figures(ps_for: dict[int, Presssite], anchors: Anchors) -> list[Figure]:
    """presssite with search (its default) beside Hugo followed by Pagefind on Hugo's
    output, which is what a Hugo site with search runs: cold, and after one release."""
    figures = []
    pagefind = str(pagefind_binary())
    for articles, ps in ps_for.items():
        bundle = first_bundle(ps.site / "content")
        cold = [ps.cold_contender()]
        edit = [release_edit("presssite", ps.warm(), ps.site, bundle)]
        if "hugo" in anchors.names:
            site = anchors.site("hugo", ps.site)
            index = '"$0" --site public --quiet'
            cold_hugo = anchors.cold_contender("hugo", site)
            cold_hugo.name = "hugo+pagefind"
            cold_hugo.command = [
                "sh",
                "-c",
                f"{shlex.join(cold_hugo.command)} && {index}",
                pagefind,
            ]
            cold.append(cold_hugo)
            warm = ["sh", "-c", f"{shlex.join(anchors.command('hugo', site, 'warm'))} && {index}"]
            warm.append(pagefind)
            edit.append(release_edit("hugo+pagefind", warm, site, bundle, anchors.env))
        figures += [
            Figure(f"cold-{articles}", f"cold build with search, {articles:,} releases", cold),
            Figure(
                f"edit-{articles}",
                f"rebuild with search after editing one release, {articles:,} releases",
                edit,
            ),
        ]
    return figures


def add_checks_and_notes(
    block: Block,
    key: str,
    sizes: list[tuple[int, int]],
    corpora: list[Path],
    anchors: Anchors,
    args: argparse.Namespace,
    *,
    verify: bool = True,
) -> None:
    """The issues' targets, what each figure did exactly, and the anchors' own checks."""
    block.notes = []
    bundle = first_bundle(corpora[0] / "content")
    if key == "pages":
        block.checks = checks_.pages(block)
        block.notes.append(
            f"Edit one release: each run appends one more sentence to "
            f"`content/press/{bundle}/index.en.md` (written to a temp file and renamed in). "
            f"Edit one template: presssite's theme `{THEME_TEMPLATE.name}` copied into the "
            f"site's `templates/` (untimed, before the warm-up build), then each run adds an "
            f"HTML comment inside its main block; Hugo's `layouts/page.html` gets the same "
            f"comment. Both restored afterwards."
        )
        for label, bin_dir in args.also:
            block.notes.append(
                f"{label}: the same checkout (editable install) in "
                f"`{bin_dir.parent.relative_to(REPO)}`, a venv made from that interpreter; its "
                f"cold builds take their turn in the same alternation, on the same corpus."
            )
    elif key == "photos":
        block.checks = checks_.photos(block)
        block.notes.append(
            "floor = `shared/bench/anchors/floor.py CORPUS --procs "
            f"{os.cpu_count()} --webp` under the same Python and Pillow as presssite: each "
            "photo opened with `draft`, resized from the full image to 1600, 960 and 480 px and "
            "saved as JPEG and WebP at quality 82 on all cores; no EXIF orientation, no "
            "metadata, no cache, no HTML."
        )
        block.notes.append(_floor_matches(corpora[0]))
        block.notes.append(
            f"Replace one photo: each run writes a new image (a coloured block drawn on it, "
            f"JPEG q88, same size) over `content/press/{bundle}/photos/`'s first JPEG."
        )
        block.notes.append(
            "CI deploy (`benchkit/deploy.py`): before each run, untimed, a fresh `git clone` "
            "of the site (photos included), the image cache, the build cache and the output "
            "restored as the Pages workflow restores them, and one new release committed: a "
            "copy of the newest bundle with its photos, retitled (its photos' bytes are "
            "cached already, under other paths); then `presssite build`, timed."
        )
        if not args.hugo_photos:
            block.notes.append(
                "Hugo's photo build (about 5 minutes) was left out: `--hugo-photos` adds it."
            )
        else:
            block.notes.append(
                "Hugo ran its JPEG + WebP cold build once (the templates' "
                "default), between presssite's and the floor's first runs."
            )
    elif key == "search":
        block.checks = checks_.search(block, sizes)
        block.notes.append(
            "presssite builds with `[search] enabled = true` (the default): its Pagefind "
            "index is part of every figure. Hugo + Pagefind = the Hugo build of the same "
            "corpus (`build.sh hugo SITE cold|warm`), then `pagefind --site public` (the "
            "binary of `pagefind[bin]`, as presssite's) over Hugo's whole output, in one "
            "timed command: Pagefind has no incremental mode, so an edit re-indexes all. "
            f"Edit one release: each run appends one more sentence to "
            f"`content/press/{bundle}/index.en.md` of both sites."
        )
    else:
        block.checks = checks_.scale(block, sizes)
        block.notes.append(
            "CI deploy (`benchkit/deploy.py`): before each run, untimed, a fresh `git clone` "
            "of the site (every file gets a new modification time), the paths the Pages "
            "workflow keeps with actions/cache (`.presssite-cache` and `build`) restored "
            "from a tar archive made after the previous deploy, and one new release (a "
            "copy of the newest, retitled) committed; then `presssite build`, timed. The "
            "repository ignores the cached paths, as the `.gitignore` of `presssite init` "
            "does. Hugo "
            "builds cold in CI: its figure is its cold build of the same corpus, above."
        )
        if args.huge:
            block.notes.append(f"{sizes[-1][0]:,} releases: presssite only, one run.")
    block.notes += checks_.run_order(block)
    for name in anchors.names if verify else ():
        display = DISPLAY[name]
        for (articles, photos), corpus_dir in zip(sizes, corpora, strict=True):
            site = WORK / f"{name}-{corpus_dir.name.removeprefix('corpus-')}"
            measured = any(display in f.samples for f in block.figures)
            if site.exists() and measured and (photos == 0 or args.hugo_photos):
                block.notes.append(anchors.verify(name, site, articles, photos))


def _floor_matches(corpus_dir: Path) -> str:
    """Say whether the corpus asks presssite for the widths, formats and quality of floor.py."""
    import tomllib

    images = tomllib.loads((corpus_dir / "presssite.toml").read_text()).get("images", {})
    same = (
        sorted(images.get("widths", [])) == [480, 960, 1600]
        and sorted(images.get("formats", [])) == ["jpeg", "webp"]
        and images.get("quality") == 82
    )
    setting = (
        f"widths {images.get('widths')}, formats {images.get('formats')}, "
        f"quality {images.get('quality')}"
    )
    if same:
        return f"The corpus's `[images]` ({setting}) is what floor.py does: same work."
    return f"WARNING: the corpus's `[images]` ({setting}) differs from floor.py's work."
