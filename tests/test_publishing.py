"""Publishing rules for a newsroom, end to end: embargo, expiry, updated, contact."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DEFAULT_SETTINGS, make_photo, make_site, run_cli
from factories import release
from selectolax.lexbor import LexborHTMLParser

NOW = "2026-01-31T12:00:00+07:00"


def page(root: Path, path: str, out: str = "build") -> LexborHTMLParser:
    return LexborHTMLParser((root / out / path).read_text(encoding="utf-8"))


def squeeze(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- embargo


@pytest.fixture(scope="module")
def embargo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    secret = "content/press/2026-01-25-rahasia-negara"
    files = {
        "content/press/2026-01-10-energi-a/index.id.md": release(
            "Energi terbarukan", "2026-01-10T09:00:00+07:00", tags="[energi]"
        ),
        "content/press/2026-01-12-energi-b/index.id.md": release(
            "Energi bersih", "2026-01-12T09:00:00+07:00", tags="[ekonomi]"
        ),
        f"{secret}/index.id.md": release(
            "Kesepakatan Zamrud",
            "2026-01-25T09:00:00+07:00",
            embargo="2026-02-02T09:00:00+07:00",
            tags="[energi, zamrud-khusus]",
            summary="Ringkasan rahasia.",
            photos="\n  - src: photos/foto-zamrud.jpg\n    caption: Penandatanganan",
        ),
        f"{secret}/index.en.md": release(
            "Emerald Agreement",
            "2026-01-25T09:00:00+07:00",
            embargo="2026-02-02T09:00:00+07:00",
        ),
    }
    root = make_site(
        tmp_path_factory.mktemp("embargo"), files, settings=DEFAULT_SETTINGS + "page_size = 1\n"
    )
    make_photo(root / secret / "photos/foto-zamrud.jpg", (640, 480))
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    return root


def test_nothing_in_the_output_names_an_embargoed_release(embargo_site: Path) -> None:
    build = embargo_site / "build"
    names = [p.relative_to(build).as_posix() for p in build.rglob("*")]
    text = "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in build.rglob("*") if p.is_file()
    )
    for needle in (
        "rahasia-negara",
        "Kesepakatan Zamrud",
        "Emerald Agreement",
        "Ringkasan rahasia",
        "zamrud-khusus",
        "foto-zamrud",
        "Penandatanganan",
        "2026-01-25",
    ):
        assert needle not in text, needle
        assert not any(needle in name for name in names), needle


def test_counts_do_not_reveal_an_embargoed_release(embargo_site: Path) -> None:
    home = page(embargo_site, "id/index.html")
    status = squeeze(home.css_first(".pagination-status").text())
    assert status == "Rilis tanggal 12 Januari 2026"
    assert (embargo_site / "build/id/page/1").is_dir()
    assert not (embargo_site / "build/id/page/2").exists()
    tags = page(embargo_site, "id/tags/index.html")
    energi = next(li for li in tags.css(".tag-index li") if "energi" in li.text())
    assert "(1 siaran pers)" in squeeze(energi.text())
    tag_page = page(embargo_site, "id/tags/energi/index.html")
    assert tag_page.css_first(".pagination") is None
    assert len(tag_page.css(".teasers > li")) == 1
    en_home = page(embargo_site, "en/index.html")
    assert en_home.css_first(".teasers") is None


def test_the_release_appears_everywhere_once_the_embargo_lifts(
    embargo_site: Path, tmp_path: Path
) -> None:
    out = tmp_path / "later"
    result = run_cli(
        "build", "--site", embargo_site, "--out", out, "--now", "2026-02-02T09:00:00+07:00"
    )
    assert result.returncode == 0, result.stderr
    assert (out / "id/press/rahasia-negara/index.html").is_file()
    assert (out / "id/tags/zamrud-khusus/index.html").is_file()
    assert "rahasia-negara" in (out / "id/feed.xml").read_text(encoding="utf-8")
    assert "rahasia-negara" in (out / "sitemap.xml").read_text(encoding="utf-8")
    status = squeeze(
        page(embargo_site, "id/index.html", str(out)).css_first(".pagination-status").text()
    )
    assert status == "Rilis tanggal 25 Januari 2026"
    assert (out / "id/page/2").is_dir()


# --------------------------------------------------------------------------- embargoes command


@pytest.fixture(scope="module")
def schedule_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {
        "content/press/2026-01-10-a/index.id.md": release(
            "Rilis A", "2026-01-10T09:00:00+07:00", embargo="2026-02-01T09:00:00+07:00"
        ),
        "content/press/2026-01-10-a/index.en.md": release(
            "Release A", "2026-01-10T09:00:00+07:00", embargo="2026-02-01T10:30:00+07:00"
        ),
        "content/press/2026-01-11-b/index.id.md": release(
            "Rilis B", "2026-01-11T09:00:00+07:00", embargo="2026-01-20T00:00:00Z"
        ),
        "content/press/2026-01-12-c/index.id.md": release(
            "Draf C",
            "2026-01-12T09:00:00+07:00",
            embargo="2026-03-01T09:00:00+07:00",
            draft="true",
        ),
        "content/press/2026-01-13-d/index.id.md": release(
            "Rilis D", "2026-01-13T09:00:00+07:00", embargo="2026-06-01T02:00:00Z"
        ),
    }
    return make_site(tmp_path_factory.mktemp("schedule"), files)


def test_embargoes_lists_those_that_lift_after_now_soonest_first(schedule_site: Path) -> None:
    result = run_cli("embargoes", "--site", schedule_site, "--now", NOW)
    assert result.returncode == 0, result.stderr
    rows = [line.split(None, 3) for line in result.stdout.splitlines()]
    assert rows == [
        ["2026-02-01T09:00:00+07:00", "id", "press/2026-01-10-a", "Rilis A"],
        ["2026-02-01T10:30:00+07:00", "en", "press/2026-01-10-a", "Release A"],
        # shown in the site's time zone, whatever offset the front matter used
        ["2026-06-01T09:00:00+07:00", "id", "press/2026-01-13-d", "Rilis D"],
    ]


def test_embargoes_next_prints_only_the_next_instant(schedule_site: Path) -> None:
    result = run_cli("embargoes", "--site", schedule_site, "--now", NOW, "--next")
    assert result.returncode == 0
    assert result.stdout == "2026-02-01T09:00:00+07:00\n"
    later = run_cli(
        "embargoes", "--site", schedule_site, "--now", "2026-02-01T09:00:00+07:00", "--next"
    )
    assert later.stdout == "2026-02-01T10:30:00+07:00\n"


def test_embargoes_next_prints_nothing_when_none_is_pending(schedule_site: Path) -> None:
    result = run_cli(
        "embargoes", "--site", schedule_site, "--now", "2027-01-01T00:00:00Z", "--next"
    )
    assert result.returncode == 0
    assert result.stdout == ""
    listing = run_cli("embargoes", "--site", schedule_site, "--now", "2027-01-01T00:00:00Z")
    assert listing.returncode == 0
    assert "No embargo" in listing.stdout


def test_embargoes_default_clock_is_the_present(schedule_site: Path) -> None:
    result = run_cli("embargoes", "--site", schedule_site, "--next")
    assert result.returncode == 0
    assert result.stdout == ""  # every embargo above is in the past by now


def test_embargoes_now_needs_an_offset(schedule_site: Path) -> None:
    result = run_cli("embargoes", "--site", schedule_site, "--now", "2026-01-01T00:00:00")
    assert result.returncode == 2
    assert "--now" in result.stderr and "Traceback" not in result.stderr


# ------------------------------------------------------------------ expires, updated, contact


@pytest.fixture(scope="module")
def rules_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = DEFAULT_SETTINGS + '\n[contact]\nname = "Humas Uji"\nemail = "humas@example.org"\n'
    files = {
        "content/press/2026-01-10-notice/index.id.md": release(
            "Pengumuman sementara",
            "2026-01-10T09:00:00+07:00",
            expires="2026-02-01T00:00:00+07:00",
            updated="2026-01-12T15:30:00+07:00",
            contact="\n  name: Dewi Lestari\n  email: dewi@example.org\n  phone: +62 21 555 0100",
        ),
        "content/press/2026-01-10-notice/index.en.md": release(
            "Temporary notice",
            "2026-01-10T09:00:00+07:00",
            expires="2026-02-01T00:00:00+07:00",
            updated="2026-01-12T15:30:00+07:00",
        ),
        "content/press/2026-01-11-other/index.id.md": release("Lain", "2026-01-11T09:00:00+07:00"),
    }
    root = make_site(tmp_path_factory.mktemp("rules"), files, settings=settings)
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    return root


def test_expiring_release_carries_its_expiration_time_while_live(rules_site: Path) -> None:
    tree = page(rules_site, "id/press/notice/index.html")
    node = tree.css_first('meta[property="article:expiration_time"]')
    assert node is not None
    assert node.attributes["content"] == "2026-02-01T00:00:00+07:00"
    other = page(rules_site, "id/press/other/index.html")
    assert other.css_first('meta[property="article:expiration_time"]') is None


def test_expired_release_is_taken_down_everywhere(rules_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "after"
    result = run_cli(
        "build", "--site", rules_site, "--out", out, "--now", "2026-02-01T00:00:00+07:00"
    )
    assert result.returncode == 0, result.stderr
    assert not (out / "id/press/notice").exists()
    assert not (out / "en/press/notice").exists()
    for name in ("id/feed.xml", "sitemap.xml", "id/index.html", "id/tags/index.html"):
        assert "notice" not in (out / name).read_text(encoding="utf-8"), name
    assert (out / "id/press/other/index.html").is_file()


@pytest.mark.parametrize(
    ("path", "line"),
    [
        ("id/press/notice/index.html", "Diperbarui: 12 Januari 2026, 15.30 WIB"),
        ("en/press/notice/index.html", "Updated: January 12, 2026, 3:30\u202fPM WIB"),
    ],
    ids=["id", "en"],
)
def test_updated_line_is_localized(rules_site: Path, path: str, line: str) -> None:
    node = page(rules_site, path).css_first(".updated")
    assert node is not None
    assert squeeze(node.text()) == squeeze(line)
    assert node.css_first("time").attributes["datetime"] == "2026-01-12T15:30:00+07:00"


def test_contact_from_front_matter_renders_under_the_release(rules_site: Path) -> None:
    tree = page(rules_site, "id/press/notice/index.html")
    contact = tree.css_first("article .contact")
    assert contact is not None
    assert squeeze(contact.css_first("h2").text()) == "Kontak media"
    assert "Dewi Lestari" in contact.text()
    hrefs = {a.attributes["href"] for a in contact.css("a")}
    assert hrefs == {"mailto:dewi@example.org", "tel:+62215550100"}


def test_contact_from_settings_is_the_default(rules_site: Path) -> None:
    for path in ("en/press/notice/index.html", "id/press/other/index.html"):
        contact = page(rules_site, path).css_first("article .contact")
        assert contact is not None, path
        assert "Humas Uji" in contact.text()
        assert {a.attributes["href"] for a in contact.css("a")} == {"mailto:humas@example.org"}
