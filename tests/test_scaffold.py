"""``presssite init`` and ``presssite new press``: a new site builds as it is; nothing is
ever overwritten."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from conftest import run_cli
from PIL import Image
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite import settings as settings_

BASE = "https://newsroom.github.io/portal/"


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    _, head, _ = text.split("---\n", 2)
    return yaml.safe_load(head)


def output_file(build: Path, url: str) -> Path:
    """The built file behind a site URL of the /portal/ sub-path."""
    assert url.startswith("/portal/"), url
    rel = url.removeprefix("/portal/")
    return build / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def init(tmp_path: Path, *args: str) -> Path:
    folder = tmp_path / "newsroom"
    result = run_cli("init", folder, "--base-url", BASE, *args)
    assert result.returncode == 0, result.stderr
    return folder


# --------------------------------------------------------------------------- init


def test_init_then_build_gives_a_site_in_every_locale(tmp_path: Path) -> None:
    folder = init(tmp_path, "--locales", "id,en")

    for rel in ("templates/README.md", "static/README.md", ".github/workflows/pages.yml"):
        assert (folder / rel).is_file(), rel
    assert "replaces" in (folder / "templates/README.md").read_text()
    ignored = (folder / ".gitignore").read_text().split()
    assert "/build/" in ignored and ".presssite-cache/" in ignored
    [bundle] = (folder / "content/press").iterdir()
    with Image.open(bundle / "photos/01.jpg") as photo:
        assert photo.format == "JPEG" and photo.width >= 960

    built = run_cli("build", "--site", folder)
    assert built.returncode == 0, built.stderr

    build = folder / "build"
    for locale in ("id", "en"):
        home = HTMLParser(output_file(build, f"/portal/{locale}/").read_text())
        assert home.css_first("html").attributes["lang"].startswith(locale)
        links = [a.attributes.get("href") or "" for a in home.css("a")]
        releases = sorted({h for h in links if h.startswith(f"/portal/{locale}/press/")})
        assert len(releases) == 1, links
        page = HTMLParser(output_file(build, releases[0]).read_text())
        assert front_matter(bundle / f"index.{locale}.md")["title"] in page.css_first("h1").text()
        images = [img.attributes["src"] for img in page.css("main img")]
        assert images and all(output_file(build, src).is_file() for src in images)


def test_init_settings_follow_the_options(tmp_path: Path) -> None:
    folder = init(
        tmp_path, "--locales", "vi,en", "--timezone", "Asia/Ho_Chi_Minh", "--title", "Báo chí"
    )
    loaded = settings_.load(folder)
    assert loaded.locales == ("vi", "en") and loaded.default_locale == "vi"
    assert loaded.timezone == "Asia/Ho_Chi_Minh"
    assert loaded.base_url == BASE
    assert loaded.localized(loaded.title, "en") == "Báo chí"
    [bundle] = (folder / "content/press").iterdir()
    assert sorted(p.name for p in bundle.glob("index.*.md")) == ["index.en.md", "index.vi.md"]
    date = front_matter(bundle / "index.vi.md")["date"]
    assert date.utcoffset() == timedelta(hours=7)


def test_init_defaults_to_utc_and_two_titles(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    assert run_cli("init", folder).returncode == 0
    data = tomllib.loads((folder / "presssite.toml").read_text())
    assert data["timezone"] == "UTC" and data["locales"] == ["id", "en"]
    assert data["title"] == {"id": "Portal Siaran Pers", "en": "Press Release Portal"}


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "newsroom"
    folder.mkdir()
    (folder / "presssite.toml").write_text("# mine\n")

    result = run_cli("init", folder)

    assert result.returncode == 1
    assert "presssite.toml" in result.stderr and "exists already" in result.stderr
    assert "Traceback" not in result.stderr
    assert (folder / "presssite.toml").read_text() == "# mine\n"
    assert sorted(p.name for p in folder.iterdir()) == ["presssite.toml"]


def test_init_rejects_a_bad_locale_before_writing(tmp_path: Path) -> None:
    folder = tmp_path / "newsroom"
    result = run_cli("init", folder, "--locales", "id,English")
    assert result.returncode == 2
    assert "English" in result.stderr
    assert not folder.exists()


# --------------------------------------------------------------------------- new press


def test_new_press_creates_a_draft_per_locale_ready_to_fill_in(tmp_path: Path) -> None:
    folder = init(tmp_path, "--timezone", "Asia/Jakarta")

    result = run_cli(
        "new", "press", "Lê Anh Tuấn gặp đối tác", "--date", "2026-01-05", "--site", folder
    )

    assert result.returncode == 0, result.stderr
    bundle = folder / "content/press/2026-01-05-le-anh-tuan-gap-doi-tac"
    expected = [bundle / "index.id.md", bundle / "index.en.md"]
    assert [Path(line) for line in result.stdout.split()] == expected
    titles = {}
    for path in expected:
        meta = front_matter(path)
        titles[path.name] = meta["title"]
        assert meta["draft"] is True
        assert meta["date"] == datetime(2026, 1, 5, tzinfo=ZoneInfo("Asia/Jakarta"))
        assert meta["date"].utcoffset() == timedelta(hours=7)
        assert meta["summary"] == "" and meta["tags"] == [] and meta["photos"] == []
        assert "# source:" in path.read_text()
    # the default locale's title as typed; the other locale's marked for translation
    assert titles == {
        "index.id.md": "Lê Anh Tuấn gặp đối tác",
        "index.en.md": "[translate] Lê Anh Tuấn gặp đối tác",
    }

    built = run_cli("build", "--site", folder)
    assert built.returncode == 0, built.stderr
    assert not (folder / "build/en/press/le-anh-tuan-gap-doi-tac").exists()  # a draft
    assert "le-anh-tuan" not in built.stderr  # drafts are not warned about

    preview = run_cli("build", "--site", folder, "--drafts", "--out", tmp_path / "preview")
    assert preview.returncode == 0, preview.stderr
    assert (tmp_path / "preview/en/press/le-anh-tuan-gap-doi-tac/index.html").is_file()


def test_a_published_skeleton_is_warned_about_by_file_and_line(tmp_path: Path) -> None:
    folder = init(tmp_path)
    made = run_cli("new", "press", "Minister meets", "--date", "2026-01-05", "--site", folder)
    assert made.returncode == 0, made.stderr
    bundle = folder / "content/press/2026-01-05-minister-meets"
    for path in bundle.glob("index.*.md"):  # published as written, the draft line removed
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")

    built = run_cli("build", "--site", folder)

    assert built.returncode == 0, built.stderr
    lines = {}
    for number, line in enumerate((bundle / "index.en.md").read_text().splitlines(), start=1):
        lines[line.split(":")[0]] = number
    body = next(n for k, n in lines.items() if k.startswith("Write the release here"))
    en = bundle / "index.en.md"
    assert f"{en}:{lines['title']}: the title is still marked for translation" in built.stderr
    assert f"{en}:{lines['summary']}: the summary is empty" in built.stderr
    assert f"{en}:{body}: the body is still the placeholder" in built.stderr
    assert f"{bundle / 'index.id.md'}:{lines['summary']}: the summary is empty" in built.stderr
    assert "index.id.md:2: the title" not in built.stderr  # typed in the default locale

    for path in bundle.glob("index.*.md"):  # filled in: no warning
        text = path.read_text(encoding="utf-8").replace("[translate] ", "")
        text = text.replace('summary: ""', 'summary: "The lead."')
        path.write_text(text.replace("Write the release here", "The story"), encoding="utf-8")
    again = run_cli("build", "--site", folder)
    assert again.returncode == 0, again.stderr
    assert "minister-meets" not in again.stderr


def test_new_press_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = init(tmp_path)
    args = ("new", "press", "Minister meets partners", "--date", "2026-01-05", "--site", folder)
    assert run_cli(*args).returncode == 0
    page = folder / "content/press/2026-01-05-minister-meets-partners/index.en.md"
    page.write_text("edited", encoding="utf-8")

    again = run_cli(*args)

    assert again.returncode == 1
    assert "exists already" in again.stderr
    assert page.read_text(encoding="utf-8") == "edited"


def test_new_press_dates_in_the_site_time_zone(tmp_path: Path) -> None:
    folder = init(tmp_path, "--timezone", "Asia/Jakarta")
    late = run_cli("new", "press", "Late", "--date", "2026-01-05T23:30:00+00:00", "--site", folder)
    assert late.returncode == 0, late.stderr
    page = folder / "content/press/2026-01-06-late/index.id.md"
    assert front_matter(page)["date"].isoformat() == "2026-01-06T06:30:00+07:00"

    now = run_cli("new", "press", "Right now", "--site", folder)
    assert now.returncode == 0, now.stderr
    [created] = [Path(p) for p in now.stdout.split() if p.endswith("index.en.md")]
    when = front_matter(created)["date"]
    assert when.utcoffset() == timedelta(hours=7)
    assert abs(datetime.now(ZoneInfo("UTC")) - when) < timedelta(minutes=5)
    assert created.parent.name.startswith(when.date().isoformat())


@pytest.mark.parametrize(
    ("date", "message"),
    [("05/01/2026", "not an ISO 8601 date"), ("2026-13-01", "not an ISO 8601 date")],
    ids=["slashes", "month-13"],
)
def test_new_press_rejects_bad_dates(tmp_path: Path, date: str, message: str) -> None:
    folder = init(tmp_path)
    result = run_cli("new", "press", "X", "--date", date, "--site", folder)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(list((folder / "content/press").iterdir())) == 1  # only init's example
