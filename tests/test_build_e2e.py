"""End to end: build real fixture sites with the command line and read the output back."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_photo, make_site, run_cli
from factories import release
from selectolax.lexbor import LexborHTMLParser

NOW = "2026-01-31T12:00:00+07:00"
BASE = "https://example.org/portal"


PHOTOS = """
  - src: photos/01.jpg
    caption: "Wakil menteri berbicara di konferensi."
    credit: Bao Chi
  - src: photos/02.jpg
    caption: "Delegasi tiba di Bangkok."
    credit: Humas Kemlu"""

PHOTOS_EN = """
  - src: photos/01.jpg
    caption: "The deputy minister speaks at the conference."
    credit: Bao Chi
  - src: photos/02.jpg
    caption: "The delegation arrives in Bangkok."
    credit: Humas Kemlu"""

SOURCE = """
  name: Báo Quốc tế
  url: https://baoquocte.vn/viet-nam-tham-du-hoi-nghi-quoc-te-338048.html"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("e2e")
    scam = "content/press/2026-01-10-global-partnership"
    files = {
        f"{scam}/index.id.md": release(
            "Kemitraan global melawan penipuan daring",
            "2026-01-10T09:30:00+07:00",
            summary="Ringkasan.",
            tags="[diplomasi, keamanan siber]",
            source=SOURCE,
            photos=PHOTOS,
            body="Paragraf pertama.\n\n![Wakil menteri](photos/01.jpg)\n\n"
            "Lihat juga [siaran lain](../2026-01-05-le-anh-tuan/index.id.md).",
        ),
        f"{scam}/index.en.md": release(
            "Global partnership against online scams",
            "2026-01-10T09:30:00+07:00",
            summary="Summary.",
            tags="[diplomacy]",
            source=SOURCE,
            photos=PHOTOS_EN,
            body="First paragraph.\n\n![The deputy minister](photos/01.jpg)",
        ),
        "content/press/2026-01-05-le-anh-tuan/index.id.md": release(
            "Lê Anh Tuấn mengunjungi Jakarta", "2026-01-05T10:00:00+07:00"
        ),
        "content/press/2026-01-05-le-anh-tuan/index.en.md": release(
            "Lê Anh Tuấn visits Jakarta", "2026-01-05T10:00:00+07:00"
        ),
        "content/press/2026-01-03-only-id/index.id.md": release(
            "Hanya dalam bahasa Indonesia", "2026-01-03T10:00:00+07:00"
        ),
        "content/press/2026-01-20-secret-deal/index.id.md": release(
            "Kesepakatan rahasia",
            "2026-01-20T10:00:00+07:00",
            embargo="2026-02-01T09:00:00+07:00",
            tags="[embargotag]",
            photos="\n  - src: photos/secret.jpg\n    caption: Rahasia",
        ),
        "content/press/2026-01-20-secret-deal/index.en.md": release(
            "Secret deal",
            "2026-01-20T10:00:00+07:00",
            embargo="2026-02-01T09:00:00+07:00",
        ),
        "content/press/2026-01-21-draft-note/index.id.md": release(
            "Catatan draf", "2026-01-21T10:00:00+07:00", draft="true"
        ),
        "content/press/2026-01-22-xss/index.en.md": release(
            "<script>alert('title')</script> Evil",
            "2026-01-22T10:00:00+07:00",
            photos='\n  - src: photos/x.jpg\n    caption: "<script>alert(1)</script>"\n'
            "    credit: <b>me</b>",
            body="<script>alert('body')</script>",
        ),
        "content/pages/about/index.id.md": release("Tentang kami", "2026-01-01T00:00:00+07:00"),
        "content/pages/about/index.en.md": release("About us", "2026-01-01T00:00:00+07:00"),
    }
    root = make_site(tmp, files)
    make_photo(root / scam / "photos/01.jpg", (1600, 1000))
    make_photo(root / scam / "photos/02.jpg", (800, 600), color=(150, 90, 40))
    make_photo(root / "content/press/2026-01-20-secret-deal/photos/secret.jpg", (640, 480))
    make_photo(root / "content/press/2026-01-22-xss/photos/x.jpg", (640, 480))
    result = run_cli("build", "--site", root, "--now", NOW)
    assert result.returncode == 0, result.stderr
    return root


def page(site: Path, path: str) -> LexborHTMLParser:
    return LexborHTMLParser((site / "build" / path).read_text(encoding="utf-8"))


def all_output(site: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in (site / "build").rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml", ".txt")
    )


def test_switcher_links_each_translation(site: Path) -> None:
    id_page = page(site, "id/press/global-partnership/index.html")
    en_page = page(site, "en/press/global-partnership/index.html")
    assert id_page.css_first("html").attributes["lang"] == "id"
    assert en_page.css_first("html").attributes["lang"] == "en"
    id_links = {
        a.attributes.get("hreflang"): a.attributes["href"] for a in id_page.css("a[hreflang]")
    }
    en_links = {
        a.attributes.get("hreflang"): a.attributes["href"] for a in en_page.css("a[hreflang]")
    }
    assert id_links["en"] == "/portal/en/press/global-partnership/"
    assert en_links["id"] == "/portal/id/press/global-partnership/"


def test_hreflang_alternates_are_reciprocal(site: Path) -> None:
    def alternates(path: str) -> dict[str, str]:
        tree = page(site, path)
        return {
            link.attributes["hreflang"]: link.attributes["href"]
            for link in tree.css('link[rel="alternate"][hreflang]')
        }

    id_alt = alternates("id/press/global-partnership/index.html")
    en_alt = alternates("en/press/global-partnership/index.html")
    assert id_alt == en_alt
    assert id_alt["id"] == f"{BASE}/id/press/global-partnership/"
    assert id_alt["en"] == f"{BASE}/en/press/global-partnership/"
    assert id_alt["x-default"] == id_alt["id"]
    canonical = page(site, "en/press/global-partnership/index.html").css_first(
        'link[rel="canonical"]'
    )
    assert canonical.attributes["href"] == f"{BASE}/en/press/global-partnership/"


def test_missing_translation_links_the_other_home(site: Path) -> None:
    tree = page(site, "id/press/only-id/index.html")
    en = next(a for a in tree.css("a[hreflang]") if a.attributes["hreflang"] == "en")
    assert en.attributes["href"] == "/portal/en/"
    assert "missing" in (en.attributes.get("class") or "")
    hreflangs = {x.attributes["hreflang"] for x in tree.css('link[rel="alternate"][hreflang]')}
    assert "en" not in hreflangs
    assert not (site / "build/en/press/only-id").exists()


def test_source_footer_in_both_locales(site: Path) -> None:
    for path, label in [
        ("id/press/global-partnership/index.html", "Sumber"),
        ("en/press/global-partnership/index.html", "Source"),
    ]:
        tree = page(site, path)
        link = tree.css_first(
            'a[href="https://baoquocte.vn/viet-nam-tham-du-hoi-nghi-quoc-te-338048.html"]'
        )
        assert link is not None and link.text(strip=True) == "Báo Quốc tế"
        assert label in link.parent.text()


def test_figures_carry_caption_and_localized_credit(site: Path) -> None:
    for path, caption, credit in [
        ("id/press/global-partnership/index.html", "Wakil menteri berbicara", "Foto: Bao Chi"),
        ("en/press/global-partnership/index.html", "The deputy minister speaks", "Photo: Bao Chi"),
    ]:
        tree = page(site, path)
        captions = [" ".join(f.text().split()) for f in tree.css("figure figcaption")]
        body_figure = tree.css_first("article figure")
        assert body_figure is not None
        assert any(caption in c and credit in c for c in captions), captions
        for img in tree.css("figure img"):
            assert img.attributes.get("width") and img.attributes.get("height")
            src = img.attributes["src"]
            assert (site / "build" / src.removeprefix("/portal/")).is_file(), src


def test_link_to_another_bundle_becomes_its_url(site: Path) -> None:
    tree = page(site, "id/press/global-partnership/index.html")
    hrefs = [a.attributes.get("href") for a in tree.css("main a")]
    assert "/portal/id/press/le-anh-tuan/" in hrefs


def test_script_in_title_caption_and_body_is_escaped(site: Path) -> None:
    raw = (site / "build/en/press/xss/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in raw
    assert "&lt;script&gt;alert(&#39;title&#39;)" in raw or "&lt;script&gt;alert('title')" in raw
    tree = LexborHTMLParser(raw)
    assert "<script>alert('title')</script> Evil" in tree.css_first("h1").text()
    assert tree.css_first("figcaption b") is None


def test_embargoed_and_draft_releases_appear_nowhere(site: Path) -> None:
    out = all_output(site)
    for needle in (
        "secret-deal",
        "Kesepakatan rahasia",
        "Secret deal",
        "embargotag",
        "secret.jpg",
        "draft-note",
        "Catatan draf",
    ):
        assert needle not in out, needle
    assert not list((site / "build").rglob("secret*"))


def test_drafts_flag_includes_drafts(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "with-drafts"
    result = run_cli("build", "--site", site, "--out", out, "--now", NOW, "--drafts")
    assert result.returncode == 0, result.stderr
    assert (out / "id/press/draft-note/index.html").is_file()
    assert not (out / "id/press/secret-deal").exists()


def test_embargo_lifts_with_the_clock(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "later"
    result = run_cli("build", "--site", site, "--out", out, "--now", "2026-02-01T09:00:00+07:00")
    assert result.returncode == 0, result.stderr
    assert (out / "en/press/secret-deal/index.html").is_file()
    assert (out / "id/press/secret-deal/photos").is_dir()


def test_home_is_newest_first_and_root_offers_every_locale(site: Path) -> None:
    home = page(site, "id/index.html")
    titles = [h.text(strip=True) for h in home.css("main article h2, main li h2, main h2 a")]
    joined = " | ".join(titles)
    assert joined.index("Kemitraan global") < joined.index("Lê Anh Tuấn")
    root = page(site, "index.html")
    hrefs = {a.attributes.get("href") for a in root.css("a")}
    assert {"/portal/id/", "/portal/en/"} <= hrefs
    assert (site / "build/404.html").is_file()


def test_summary_names_counts_and_missing_translations(site: Path, tmp_path: Path) -> None:
    result = run_cli("build", "--site", site, "--out", tmp_path / "o", "--now", NOW)
    assert "press/2026-01-03-only-id [en]" in result.stdout
    assert "id 4" in result.stdout and "en 4" in result.stdout


# --------------------------------------------------------------------------- errors

DATE = "2026-01-10T09:30:00+07:00"
GOOD = release("Baik", DATE)


@pytest.mark.parametrize(
    ("rel", "text", "line", "words"),
    [
        ("index.id.md", "---\ntitle: [unclosed\ndate: 2026-01-01T00:00:00Z\n---\n", 3, "YAML"),
        ("index.id.md", "---\ntitle: Tidak ditutup\n", 1, "not closed"),
        ("index.id.md", "---\ndate: 2026-01-01T00:00:00Z\n---\n", None, "title"),
        ("index.id.md", "---\ntitle: 5\ndate: soon\n---\n", 3, "date"),
        ("index.fr.md", GOOD, None, "fr"),
        (
            "index.id.md",
            "---\ntitle: A\ndate: 2026-01-01T00:00:00Z\nphotos:\n  - src: photos/none.jpg\n---\n",
            5,
            "photos[0].src",
        ),
        (
            "index.id.md",
            "---\ntitle: A\ndate: 2026-01-01T00:00:00Z\nphotos:\n"
            "  - src: ../../../etc/passwd\n---\n",
            5,
            "photos[0].src",
        ),
        (
            "index.id.md",
            "---\ntitle: A\ndate: 2026-01-01T00:00:00Z\n---\n\n![x](../../x.jpg)\n",
            6,
            "x.jpg",
        ),
    ],
    ids=[
        "invalid-yaml",
        "unclosed-front-matter",
        "missing-title",
        "bad-date",
        "unknown-locale",
        "missing-photo",
        "photo-escapes-bundle",
        "body-image-escapes",
    ],
)
def test_bad_input_names_the_file_and_keeps_the_old_output(
    tmp_path: Path, rel: str, text: str, line: int | None, words: str
) -> None:
    root = make_site(tmp_path, {"content/press/2026-01-10-good/index.id.md": GOOD})
    assert run_cli("build", "--site", root).returncode == 0
    before = sorted(p.relative_to(root / "build") for p in (root / "build").rglob("*"))
    marker = (root / "build/id/press/good/index.html").read_bytes()

    bad = root / "content/press/2026-01-11-bad" / rel
    bad.parent.mkdir(parents=True)
    bad.write_text(text, encoding="utf-8")
    result = run_cli("build", "--site", root)

    assert result.returncode == 1, result.stdout
    where = f"content/press/2026-01-11-bad/{rel}" + (f":{line}" if line else "")
    assert where in result.stderr, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    after = sorted(p.relative_to(root / "build") for p in (root / "build").rglob("*"))
    assert after == before
    assert (root / "build/id/press/good/index.html").read_bytes() == marker
    assert [p.name for p in root.iterdir() if p.name.startswith("build")] == ["build"]


def test_naive_date_without_a_timezone_is_an_error(tmp_path: Path) -> None:
    settings = 'base_url = "https://example.org/"\ndefault_locale = "id"\nlocales = ["id", "en"]\n'
    root = make_site(
        tmp_path,
        {"content/press/2026-01-10-x/index.id.md": release("X", "2026-01-10T09:30:00")},
        settings=settings,
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 1
    assert "content/press/2026-01-10-x/index.id.md:3" in result.stderr
    assert "timezone" in result.stderr


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-10-a/index.id.md": "---\ntitle: [\n---\n",
            "content/press/2026-01-10-b/index.en.md": "---\ndate: 2026-01-01T00:00:00Z\n---\n",
            "content/press/2026-01-10-c/index.xx.md": GOOD,
        },
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 1
    for name in (
        "2026-01-10-a/index.id.md",
        "2026-01-10-b/index.en.md",
        "2026-01-10-c/index.xx.md",
    ):
        assert name in result.stderr
    assert not (root / "build").exists()


def test_two_documents_on_one_url_name_both(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-10-one/index.id.md": release("A", DATE, slug="same"),
            "content/press/2026-01-11-two/index.id.md": release("B", DATE, slug="same"),
        },
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 1
    assert "content/press/2026-01-11-two/index.id.md:4: slug:" in result.stderr
    assert "as content/press/2026-01-10-one/index.id.md" in result.stderr


def test_namesake_folders_on_different_days_get_distinct_urls(tmp_path: Path) -> None:
    root = make_site(
        tmp_path,
        {
            "content/press/2026-01-10-visit/index.id.md": release("A", DATE),
            "content/press/2026-01-11-visit/index.id.md": release("B", "2026-01-11T09:00:00Z"),
        },
    )
    result = run_cli("build", "--site", root)
    assert result.returncode == 0, result.stderr
    assert "A" in (root / "build/id/press/visit/index.html").read_text(encoding="utf-8")
    assert (root / "build/id/press/2026-01-11-visit/index.html").is_file()


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ('default_locale = "id"\nlocales = ["id"]\n', "base_url"),
        ('base_url = "x"\ndefault_locale = "id"\nlocales = ["id"]\n', "base_url"),
        (
            'base_url = "https://e.org/"\ndefault_locale = "fr"\nlocales = ["id"]\n',
            "default_locale",
        ),
        ('base_url = "https://e.org/"\ndefault_locale = "id"\nlocales = ["id"]\nfoo = 1\n', "foo"),
    ],
    ids=["missing-key", "malformed-url", "default-not-listed", "unknown-key"],
)
def test_bad_settings_exit_2_without_traceback(tmp_path: Path, settings: str, key: str) -> None:
    root = make_site(tmp_path, {}, settings=settings)
    result = run_cli("build", "--site", root)
    assert result.returncode == 2
    assert f"presssite.toml: {key}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_now_without_offset_is_a_usage_error(tmp_path: Path) -> None:
    root = make_site(tmp_path, {})
    result = run_cli("build", "--site", root, "--now", "2026-01-31T09:00:00")
    assert result.returncode == 2
    assert "--now" in result.stderr


# --------------------------------------------------------------------------- the build cache


def test_a_build_started_from_another_folder_finds_the_cache(tmp_path: Path) -> None:
    # ``python -m presssite`` puts the working folder first on sys.path, the ``presssite``
    # script its own folder; neither holds a library, so neither may salt the cache.
    root = make_site(tmp_path, {"content/press/2026-01-10-good/index.id.md": GOOD})
    assert run_cli("build", "--now", NOW, cwd=root).returncode == 0
    again = run_cli("build", "--site", root, "--now", NOW, "--timings", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Nothing changed since the last build" in again.stdout, again.stdout
