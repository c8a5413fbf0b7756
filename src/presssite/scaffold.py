"""``presssite init`` and ``presssite new <section>``: new sites and new releases, ready to fill in.

Both compute every file first and write nothing when any of them already exists, so a
mistyped folder never clobbers someone's work. ``init`` writes settings that the
settings checker has accepted, so a new site always builds as it is.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from presssite import settings as settings_
from presssite import workflow
from presssite.content import skeleton
from presssite.errors import PresssiteError, UsageError
from presssite.model import PAGES_SECTION
from presssite.site.sections import RESERVED
from presssite.urls import slugify

_FALLBACK = "en"


class ScaffoldError(PresssiteError):
    """A file ``init`` or ``new`` would create already exists."""


@dataclass(frozen=True)
class _Words:
    """The example release and site title in one language."""

    site_title: str
    title: str
    summary: str
    body: str
    caption: str


_WORDS: Mapping[str, _Words] = {
    "en": _Words(
        site_title="Press Release Portal",
        title="Welcome to our new press release portal",
        summary="Our press releases are now published here, in every language we serve.",
        body="This is an example release. Replace it with your first real one, or delete "
        "its folder.\n\nEach release is a folder under `content/press/` with one "
        "`index.<locale>.md` per language and its photos beside them.",
        caption="An example photo, drawn when the site was created.",
    ),
    "id": _Words(
        site_title="Portal Siaran Pers",
        title="Selamat datang di portal siaran pers kami",
        summary="Siaran pers kami kini diterbitkan di sini, dalam setiap bahasa yang kami layani.",
        body="Ini adalah contoh siaran pers. Gantilah dengan siaran pers pertama Anda, atau "
        "hapus foldernya.\n\nSetiap siaran pers adalah folder di bawah `content/press/` "
        "dengan satu `index.<locale>.md` untuk setiap bahasa dan foto-fotonya.",
        caption="Contoh foto, dibuat saat situs ini dibuat.",
    ),
    "vi": _Words(
        site_title="Cổng thông cáo báo chí",
        title="Chào mừng đến với cổng thông cáo báo chí mới",
        summary="Thông cáo báo chí của chúng tôi nay được đăng tại đây, bằng mọi ngôn ngữ.",
        body="Đây là một thông cáo mẫu. Hãy thay nó bằng thông cáo đầu tiên của bạn, hoặc "
        "xoá thư mục của nó.\n\nMỗi thông cáo là một thư mục trong `content/press/` với "
        "một tệp `index.<locale>.md` cho mỗi ngôn ngữ và ảnh của nó.",
        caption="Ảnh mẫu, được vẽ khi tạo trang.",
    ),
}

_TEMPLATES_README = """\
# templates/

A template here replaces the built-in theme's template of the same name (for example
`release.html`, `base.html` or `partials/gallery.html`); templates that are not here come
from the theme. Copy a theme template here to change it, or extend the theme's own
version of the same template: `{% extends "theme/base.html" %}`.
"""

_STATIC_README = """\
# static/

Files here are copied to `static/` in the built site as they are. A file with the same
name as one of the theme's (for example `style.css`) replaces it; a favicon or a logo
belongs here too.
"""

_SITE_README = """\
# A press release portal made with presssite

- `presssite serve` previews the site with drafts and embargoed releases, reloading on
  every save; `presssite build` builds the public site into `build/`.
- `presssite new press "Title"` starts a release in every language.
- Pushing to GitHub publishes the site with GitHub Pages
  (`.github/workflows/pages.yml`; set Settings > Pages > Source to "GitHub Actions").
  A scheduled check rebuilds the site within about ten minutes of an embargo lifting
  or a release expiring; `presssite embargoes` lists what is waiting.

## Embargoes and public repositories

An embargo keeps a release off the built site until its instant, but not out of the
repository: in a public repository, the text of an embargoed release is public as soon
as it is pushed. For embargoed releases, use a private repository (GitHub Pages can
publish from one on a paid plan), or keep embargoed releases on a private branch or in
a private fork, and push them to this repository only when their embargo lifts.
"""

_GITIGNORE = """\
# presssite output and caches: rebuilt, never edited
/build/
/build.tmp-*/
/build.old-*/
.presssite-cache/
"""


def _words(locale: str) -> _Words:
    return _WORDS.get(locale.split("-")[0].split("_")[0]) or _WORDS[_FALLBACK]


def _yaml_string(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _write_all(files: Mapping[Path, str | bytes]) -> list[Path]:
    """Write every file, or none when any of them exists already."""
    existing = [path for path in files if path.exists()]
    if existing:
        others = len(existing) - 1
        also = f" ({others} more of the files to create exist too)" if others else ""
        raise ScaffoldError(
            f"exists already; nothing was written{also}",
            path=existing[0],
            hint="choose another folder or title, or move the existing files away",
        )
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return list(files)


# --------------------------------------------------------------------------- init


def settings_text(
    *,
    locales: Sequence[str],
    base_url: str,
    title: str | None,
    timezone: str,
) -> str:
    """A commented presssite.toml for a new site (first locale is the default)."""
    if title is None:
        titles = ", ".join(f"{loc} = {_toml_string(_words(loc).site_title)}" for loc in locales)
        title_line = f"title = {{ {titles} }}"
    else:
        title_line = f"title = {_toml_string(title)}"
    locale_list = ", ".join(_toml_string(loc) for loc in locales)
    return f"""\
# presssite settings: unknown keys are errors; every key but the first four has a default.
{title_line}
# Where the site is served. For GitHub Pages: https://<owner>.github.io/<repo>/
base_url = {_toml_string(base_url)}
default_locale = {_toml_string(locales[0])}
locales = [{locale_list}]
timezone = {_toml_string(timezone)}

page_size = 10
# cname = "press.example.org"   # a custom domain for GitHub Pages
"""


def example_photo() -> bytes:
    """A small JPEG drawn now, so the example release has a real photo to resize."""
    from PIL import Image, ImageDraw

    width, height = 1200, 800
    image = Image.new("RGB", (width, height), (38, 84, 124))
    draw = ImageDraw.Draw(image)
    for i in range(0, height, 8):  # a sky-like vertical gradient
        shade = 84 + i * 90 // height
        draw.rectangle((0, i, width, i + 8), fill=(38 + i * 60 // height, shade, 150))
    draw.ellipse((820, 120, 1020, 320), fill=(244, 196, 48))
    draw.polygon([(0, 800), (380, 420), (700, 800)], fill=(30, 70, 50))
    draw.polygon([(420, 800), (860, 360), (1200, 700), (1200, 800)], fill=(45, 95, 65))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def init_site(
    folder: Path,
    *,
    locales: Sequence[str] = ("id", "en"),
    base_url: str = "https://example.org/",
    title: str | None = None,
    timezone: str = "UTC",
    now: datetime | None = None,
    presssite_version: str | None = None,
) -> list[Path]:
    """Create a new site in ``folder`` (which may exist); return the files written.

    The workflow installs ``presssite_version`` (``workflow.install_command``) and triggers on
    the branch of the repository the site is in (``workflow.branch_of``). Raises
    ``SettingsError`` for locales, a base URL or a time zone the settings would reject,
    ``UsageError`` for a version spec pip cannot read, and ``ScaffoldError`` when one of
    the files exists already.
    """
    install = workflow.install_command(presssite_version)
    if not locales:
        raise UsageError(
            "no locale given", key="--locales", hint="e.g. --locales id,en (the first is default)"
        )
    text = settings_text(locales=locales, base_url=base_url, title=title, timezone=timezone)
    settings = settings_.parse(
        tomllib.loads(text), root=folder.resolve(), source=folder / settings_.SETTINGS_FILE
    )
    when = _local_now(settings, now)
    words = _words(settings.default_locale)
    bundle = folder / "content" / "press" / f"{when.date().isoformat()}-{slugify(words.title)}"

    files: dict[Path, str | bytes] = {folder / settings_.SETTINGS_FILE: text}
    for loc in settings.locales:
        local = _words(loc)
        own_slug = slugify(local.title)  # each language gets a URL in its own words
        files[bundle / f"index.{loc}.md"] = _release_text(
            title=local.title,
            slug=own_slug if own_slug != slugify(words.title) else None,
            when=when,
            summary=local.summary,
            body=f"{local.body}\n",
            photos=[("photos/01.jpg", local.caption, "presssite")],
            tags=["announcement"],
        )
    files[bundle / "photos" / "01.jpg"] = example_photo()
    files[folder / "templates" / "README.md"] = _TEMPLATES_README
    files[folder / "static" / "README.md"] = _STATIC_README
    if not (folder / "README.md").exists():  # a repository's own README is kept
        files[folder / "README.md"] = _SITE_README
    files[folder / workflow.PATH] = workflow.text(
        install=install, branch=workflow.branch_of(folder)
    )
    files[folder / ".gitignore"] = _GITIGNORE
    return _write_all(files)


# --------------------------------------------------------------------------- new


def parse_date(value: str | None, tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """``--date``: a date (midnight) or date and time; without an offset, in the site's zone."""
    if value is None:
        return (now or datetime.now(tz)).astimezone(tz).replace(microsecond=0)
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), time())
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"not an ISO 8601 date: {value!r}",
            key="--date",
            hint="e.g. --date 2026-01-31 or --date 2026-01-31T09:00:00+07:00",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(tz).replace(microsecond=0)


def new_release(
    settings: settings_.Settings,
    section: str,
    title: str,
    *,
    when: datetime | None = None,
) -> list[Path]:
    """Create a draft skeleton, ``content/<section>/<date>-<slug>/index.<locale>.md`` for
    every locale: ``draft: true``, the title marked for translation in every locale but
    the default one, an empty summary and a placeholder body (``content.skeleton``, whose
    placeholders a build warns about once the document is published)."""
    when = _local_now(settings, when)
    bundle = bundle_folder(settings, title, when=when, section=section)
    files: dict[Path, str | bytes] = {
        bundle / f"index.{loc}.md": _release_text(
            title=skeleton.title(title, translate=loc != settings.default_locale),
            when=when,
            summary="",
            body=skeleton.body(loc),
            photos=[],
            tags=[],
            draft=True,
        )
        for loc in settings.locales
    }
    return _write_all(files)


def bundle_folder(
    settings: settings_.Settings, title: str, *, when: datetime, section: str = "press"
) -> Path:
    """Where a new release goes: ``content/<section>/<date>-<slug of the title>``."""
    if section == PAGES_SECTION or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", section):
        raise UsageError(
            f"not a section: {section!r}",
            key="SECTION",
            hint="a section is a top-level folder of content/ in lower case, other than "
            'pages/: e.g. presssite new statements "Title"',
        )
    if section in RESERVED:  # the build would refuse the folder: refuse it here already
        raise UsageError(
            f"the section {section!r} would write over the site's own /<locale>/{section}/ pages",
            key="SECTION",
            hint=f"use another name for the section, e.g. {section}-releases",
        )
    slug = slugify(title)
    if not slug:
        raise UsageError(
            f"the title {title!r} gives an empty URL slug",
            key="TITLE",
            hint="use a title with letters or digits",
        )
    day = _local_now(settings, when).date().isoformat()
    return settings.content_dir / section / f"{day}-{slug}"


def _local_now(settings: settings_.Settings, when: datetime | None) -> datetime:
    tz = settings.tz
    moment = when or datetime.now(tz)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz).replace(microsecond=0)


def _release_text(
    *,
    title: str,
    when: datetime,
    summary: str,
    body: str,
    photos: Sequence[tuple[str, str, str]],
    tags: Sequence[str],
    slug: str | None = None,
    draft: bool = False,
) -> str:
    """One translation's file: front matter with every everyday key, then the body."""
    lines = [
        "---",
        f"title: {_yaml_string(title)}",
        *([f"slug: {slug}"] if slug else []),
        *(["draft: true              # publish: delete this line"] if draft else []),
        f"date: {when.isoformat()}",
        f"summary: {_yaml_string(summary)}"
        + ("  # the lead paragraph, shown first" if draft else ""),
        f"tags: [{', '.join(_yaml_string(t) for t in tags)}]",
        "# source:                  # where the release was first published",
        "#   name: The original publisher",
        "#   url: https://example.org/original-release",
    ]
    if photos:
        lines.append("photos:")
        for src, caption, credit in photos:
            lines += [
                f"  - src: {src}",
                f"    caption: {_yaml_string(caption)}",
                f"    credit: {_yaml_string(credit)}",
            ]
    else:
        lines.append("photos: []               # - {src: photos/01.jpg, caption: ..., credit: ...}")
    lines += ["---", "", body]
    return "\n".join(lines)
