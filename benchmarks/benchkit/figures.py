"""Figures measured in alternation, and the edits that the rebuild figures make.

A figure (say "rebuild after editing one release") has several contenders: presssite, Hugo,
the Pillow floor. Their runs alternate (presssite, Hugo, presssite, Hugo, ...) so that the
noise of a shared machine falls on all of them alike, and a ratio taken within one figure
compares builds made under the same load.

Edits are written atomically (temp file + ``os.replace``): the anchor sites hard-link the
corpus, and replacing a file (rather than writing into it) edits one site without touching
the other through the shared inode.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .timing import Sample, run_quiet, run_timed

Log = Callable[[str], None]


@dataclass
class Contender:
    """One tool in a figure: its timed command, and untimed steps around it.

    ``setup`` runs once before the first run (a warm-up build, copying a template),
    ``before`` before each run (the edit of run ``i``), ``teardown`` once at the end
    (restoring what was edited). ``runs`` caps the runs of a slow anchor. ``reads`` are
    folders whose files are read once before the first run (``read_through``).
    """

    name: str
    command: list[str]
    cwd: Path
    env: dict[str, str] | None = None
    setup: Callable[[], None] | None = None
    before: Callable[[int], None] | None = None
    teardown: Callable[[], None] | None = None
    runs: int | None = None
    reads: tuple[Path, ...] = ()  # read through, untimed, before the first run


@dataclass
class Figure:
    key: str
    title: str
    contenders: list[Contender]
    samples: dict[str, list[Sample]] = field(default_factory=dict)


def measure(figure: Figure, runs: int, log: Log) -> Figure:
    """Time each contender ``runs`` times, alternating them run by run."""
    done: list[Contender] = []
    try:
        for contender in figure.contenders:
            if contender.setup:
                log(f"  {figure.key}: {contender.name} setup (untimed)")
                contender.setup()
            done.append(contender)
        for contender in figure.contenders:
            if contender.reads:
                log(f"  {figure.key}: {contender.name} reads its site and code (untimed)")
                read_through(contender.reads)
        for i in range(runs):
            for contender in figure.contenders:
                if contender.runs is not None and i >= contender.runs:
                    continue
                if contender.before:
                    contender.before(i)
                # Untimed: the writes the previous run left for the disk are flushed now,
                # so that no run pays for another tool's (a cold build writes thousands
                # of files, which the kernel writes back over the next seconds).
                os.sync()
                sample = run_timed(
                    contender.command,
                    cwd=contender.cwd,
                    env=contender.env,
                    label=f"{figure.key}: {contender.name}",
                )
                figure.samples.setdefault(contender.name, []).append(sample)
                log(
                    f"  {figure.key}: {contender.name} run {i + 1}/{runs}: wall {sample.wall:.2f} s"
                    f" cpu {sample.cpu:.2f} s peak {sample.peak_mib:.0f} MiB"
                )
    finally:
        for contender in reversed(done):
            if contender.teardown:
                contender.teardown()
    return figure


def read_through(folders: tuple[Path, ...]) -> None:
    """Read every file under ``folders`` (a tool, its interpreter, its site's inputs), or
    the file itself where one is a file: untimed.

    The first run of a cold figure would otherwise be the one that finds its files out
    of the page cache (after an idle machine dropped them), and the anchor sites
    hard-link the corpus, so whichever tool runs first would warm it for the others.
    """
    for folder in folders:
        walked = os.walk(folder) if folder.is_dir() else [(folder.parent, [], [folder.name])]
        for root, _dirs, files in walked:
            for name in files:
                try:
                    with open(os.path.join(root, name), "rb") as fh:
                        while fh.read(1 << 20):
                            pass
                except OSError:
                    continue


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` through a temp file, breaking any hard link."""
    temp = path.with_name(f".{path.name}.bench-tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


class Restorer:
    """Remembers files before they are edited, and puts them back (or removes new ones)."""

    def __init__(self) -> None:
        self.saved: dict[Path, bytes | None] = {}

    def keep(self, path: Path) -> bytes | None:
        if path not in self.saved:
            self.saved[path] = path.read_bytes() if path.exists() else None
        return self.saved[path]

    def restore(self) -> None:
        for path, data in self.saved.items():
            if data is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, data)
        self.saved.clear()


def warm_up(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Callable[[], None]:
    """A setup step: one untimed build, so the timed ones find their output and caches."""
    return lambda: run_quiet(command, cwd=cwd, env=env, label=" ".join(command[:3]))


def chain(*steps: Callable[[], None] | None) -> Callable[[], None]:
    def run() -> None:
        for step in steps:
            if step:
                step()

    return run


def append_sentence(restorer: Restorer, path: Path) -> Callable[[int], None]:
    """Each run appends one more sentence to a release (the edits accumulate)."""

    def edit(i: int) -> None:
        original = restorer.keep(path)
        if original is None:
            raise FileNotFoundError(path)
        extra = "".join(
            f"\n\nBenchmark edit {n + 1}: the ministry added one more sentence to this release.\n"
            for n in range(i + 1)
        )
        write_atomic(path, original.rstrip(b"\n") + extra.encode())

    return edit


def release_edit(
    name: str, command: list[str], site: Path, bundle: str, env: dict[str, str] | None = None
) -> Contender:
    """A rebuild after editing one release: warmed up once, then each run appends one
    more sentence to ``content/press/<bundle>/index.en.md``, restored at the end."""
    restorer = Restorer()
    return Contender(
        name,
        command,
        site,
        env,
        setup=warm_up(command, site, env),
        before=append_sentence(restorer, site / "content" / "press" / bundle / "index.en.md"),
        teardown=restorer.restore,
    )


def comment_template(
    restorer: Restorer, path: Path, source: Path, marker: str
) -> Callable[[int], None]:
    """Each run writes ``source`` to ``path`` with an HTML comment after the last ``marker``.

    The comment goes inside the template's main block, so every page it renders changes.
    """

    def edit(i: int) -> None:
        restorer.keep(path)
        text = source.read_text(encoding="utf-8")
        cut = text.rindex(marker) + len(marker)
        edited = f"{text[:cut]}\n<!-- benchmark template edit {i + 1} -->{text[cut:]}"
        write_atomic(path, edited.encode())

    return edit


def install_template(restorer: Restorer, path: Path, source: Path) -> Callable[[], None]:
    """A setup step: copy a theme template into the site unchanged (before the warm-up)."""

    def setup() -> None:
        restorer.keep(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)

    return setup


def replace_photo(restorer: Restorer, paths: list[Path]) -> Callable[[int], None]:
    """Each run writes a different image (same size and format) over one photo.

    A coloured block whose colour depends on the run makes every run's bytes new, so a
    content-hash cache must re-render exactly this one photo.
    """

    def edit(i: int) -> None:
        from PIL import Image, ImageDraw

        for path in paths:
            original = restorer.keep(path)
            if original is None:
                raise FileNotFoundError(path)
            temp = path.with_name(f".{path.stem}.bench-tmp{path.suffix}")
            with Image.open(path) as image:
                image.load()
                fmt = image.format or "JPEG"
                picture = image.convert("RGB")
            draw = ImageDraw.Draw(picture)
            width, height = picture.size
            colour = ((60 * i + 40) % 256, (110 * i + 90) % 256, (170 * i + 20) % 256)
            draw.rectangle((width // 8, height // 8, width // 2, height // 2), fill=colour)
            picture.save(temp, fmt, **({"quality": 88} if fmt == "JPEG" else {}))
            os.replace(temp, path)

    return edit
