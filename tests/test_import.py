"""``presssite import``: pasted articles in id, en and vi become draft releases that build
as they are, with every caption, credit, figure and source in place and no furniture;
photos from a folder, from a local HTTP server (``--fetch``) or reused (``--into``);
nothing written unless all of it succeeded."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import DEFAULT_SETTINGS, make_photo, make_site, run_cli
from PIL import Image
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite import settings as settings_
from presssite.errors import ErrorList, PresssiteError
from presssite.importer import command

ID_ARTICLE = """\
![]() |
| Menteri Perdagangan membuka pameran ekspor di Surabaya. (Foto: Humas Kemendag) |
Pameran yang berlangsung tiga hari ini diikuti oleh 120 eksportir.

Pameran ditutup pada hari Minggu.
![]() |
![]() |
| Para peserta pameran dari sepuluh provinsi. (Photo: Antara) |
Sumber: https://berita.example.net/ekonomi/12345.html

Komentar (0)
Bagikan: Facebook Twitter


"""

EN_ARTICLE = """\
The trade minister opened the export fair in Surabaya on Friday.
![]() |
| The minister at the opening. |
The three-day fair brings together 120 exporters.
![]() |
![]() |
| Exhibitors from ten provinces. (Photo: AP) |
Source: https://news.example.net/en/12345.html
Comments (3)
Share this article
"""

VI_ARTICLE = """\
![](http://127.0.0.1:{port}/a.jpg) |
| Bộ trưởng khai mạc hội chợ xuất khẩu tại Surabaya. (Ảnh: TTXVN) |
Hội chợ kéo dài ba ngày với 120 doanh nghiệp xuất khẩu.
![](http://127.0.0.1:{port}/b.png)
Nguồn: [Báo Quốc tế](https://baoquocte.example.net/hoi-cho-338048.html)
Bình luận (0)
"""

VI_SETTINGS = """\
title = { vi = "Cổng thông cáo", en = "Press Portal" }
base_url = "https://example.org/portal/"
default_locale = "vi"
locales = ["vi", "en"]
timezone = "Asia/Ho_Chi_Minh"
"""

SETTINGS = DEFAULT_SETTINGS.encode()
BUNDLE = "content/press/2026-01-05-pameran-ekspor-dibuka"
PAGE = "build/id/press/pameran-ekspor-dibuka/index.html"


# --------------------------------------------------------------------------- helpers


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def photo_folder(folder: Path, count: int) -> Path:
    for i in range(count):
        make_photo(folder / f"IMG_{i + 1:04d}.JPG", color=(40 + 50 * i, 110, 160))
    return folder


def import_id(site: Path, tmp_path: Path, *extra: str, article: str = ID_ARTICLE):
    source = write(tmp_path / "pasted" / "artikel.txt", article)
    return run_cli(
        "import",
        source,
        "--site",
        site,
        "--locale",
        "id",
        "--title",
        "Pameran ekspor dibuka",
        "--date",
        "2026-01-05T09:00:00+07:00",
        *extra,
    )


def build(site: Path) -> str:
    """Build with drafts; the build must succeed without a single warning."""
    done = run_cli("build", "--site", site, "--drafts")
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr.lower(), done.stderr
    return done.stdout


def page(site: Path, rel: str) -> HTMLParser:
    return HTMLParser((site / rel).read_text(encoding="utf-8"))


def body_shape(tree: HTMLParser) -> list[str]:
    """The release body's top-level elements in order: "p" or "figure"."""
    body = tree.css_first(".release-body")
    return [node.tag for node in body.iter() if node.tag in ("p", "figure")]


def captions(tree: HTMLParser, where: str) -> list[tuple[str, str]]:
    """(caption, credit line) of each figure under ``where``, "" for what is absent."""
    out = []
    for figure in tree.css(f"{where} figure"):
        caption = figure.css_first(".caption")
        credit = figure.css_first(".credit")
        out.append(
            (
                caption.text(strip=True) if caption else "",
                credit.text(strip=True) if credit else "",
            )
        )
    return out


def tree_files(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (None) below ``folder``, hidden ones too."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
        for p in sorted(folder.rglob("*"))
    }


# --------------------------------------------------------------------------- a local server


@dataclass
class Server:
    """A local HTTP server on 127.0.0.1: path -> (status, headers, body); slow paths wait."""

    port: int = 0
    routes: dict[str, tuple[int, Mapping[str, str], bytes]] = field(default_factory=dict)
    slow: threading.Event = field(default_factory=threading.Event)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            state.hits.append(self.path)
            if self.path.startswith("/slow"):
                state.slow.wait(10)
            status, headers, body = state.routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers and not self.path.startswith("/stream"):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.slow.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def image_bytes(fmt: str, size: tuple[int, int] = (1000, 700), color=(90, 120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def serve_photo(server: Server, path: str, fmt: str = "JPEG") -> None:
    server.routes[path] = (200, {"Content-Type": f"image/{fmt.lower()}"}, image_bytes(fmt))


# --------------------------------------------------------------------------- id, a photo folder


def test_id_article_with_a_photo_folder_builds_with_captions_credits_figures_and_source(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path, {})
    done = import_id(site, tmp_path, "--photos", photo_folder(tmp_path / "foto", 3))
    assert done.returncode == 0, done.stderr

    bundle = site / BUNDLE
    assert sorted(p.name for p in (bundle / "photos").iterdir()) == ["01.jpg", "02.jpg", "03.jpg"]
    assert (bundle / "photos/01.jpg").read_bytes() == (tmp_path / "foto/IMG_0001.JPG").read_bytes()
    assert (bundle / "photos/03.jpg").read_bytes() == (tmp_path / "foto/IMG_0003.JPG").read_bytes()
    assert [p.name for p in bundle.iterdir() if p.is_file()] == ["index.id.md"]
    assert "draft: true" in (bundle / "index.id.md").read_text(encoding="utf-8")
    # what was dropped is listed, with its lines
    assert "line 11: Komentar (0)" in done.stdout
    assert "line 12: Bagikan: Facebook Twitter" in done.stdout
    assert "lines 13-14: 2 blank lines" in done.stdout
    assert "2 paragraphs, 3 photos (2 with a caption, 2 with a credit)" in done.stdout

    build(site)
    tree = page(site, PAGE)
    assert tree.css_first("h1").text(strip=True) == "Pameran ekspor dibuka"
    assert body_shape(tree) == ["figure", "p", "p", "figure", "figure"]
    expected = [
        ("Menteri Perdagangan membuka pameran ekspor di Surabaya.", "Foto: Humas Kemendag"),
        ("", ""),
        ("Para peserta pameran dari sepuluh provinsi.", "Foto: Antara"),
    ]
    assert captions(tree, ".release-body") == expected
    assert captions(tree, ".gallery") == expected
    source = tree.css_first("footer.source a")
    assert source.attributes["href"] == "https://berita.example.net/ekonomi/12345.html"
    assert source.text(strip=True) == "berita.example.net"
    text = tree.body.text()
    for furniture in ("Komentar", "Bagikan", "Sumber: https://"):
        assert furniture not in text
    assert [p.text(strip=True) for p in tree.css(".release-body > p")] == [
        "Pameran yang berlangsung tiga hari ini diikuti oleh 120 eksportir.",
        "Pameran ditutup pada hari Minggu.",
    ]
    # each figure shows its own photo, in the order the images stood
    figure_srcs = [img.attributes["src"] for img in tree.css(".release-body figure img")]
    assert [s.rsplit("/", 1)[1].split("-")[0] for s in figure_srcs] == ["01", "02", "03"]


def test_a_second_run_refuses_and_changes_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    folder = photo_folder(tmp_path / "foto", 3)
    assert import_id(site, tmp_path, "--photos", folder).returncode == 0
    before = tree_files(site)

    again = import_id(site, tmp_path, "--photos", folder)
    assert again.returncode == 1
    assert "exists already; nothing was written" in again.stderr
    assert "2026-01-05-pameran-ekspor-dibuka" in again.stderr
    assert tree_files(site) == before


def test_the_source_name_can_be_given(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    folder = photo_folder(tmp_path / "foto", 3)
    done = import_id(site, tmp_path, "--photos", folder, "--source-name", "Kementerian Perdagangan")
    assert done.returncode == 0, done.stderr
    written = yaml.safe_load((site / BUNDLE / "index.id.md").read_text().split("---\n")[1])
    assert written["source"] == {
        "name": "Kementerian Perdagangan",
        "url": "https://berita.example.net/ekonomi/12345.html",
    }


def test_a_count_mismatch_lists_both_and_writes_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    folder = photo_folder(tmp_path / "foto", 2)
    done = import_id(site, tmp_path, "--photos", folder)
    assert done.returncode == 1
    assert "3 image(s) in the text but 2 photo(s)" in done.stderr
    assert "line 1, line 6, line 7" in done.stderr
    assert "IMG_0001.JPG, IMG_0002.JPG" in done.stderr
    assert "artikel.txt" in done.stderr
    assert tree_files(site) == {"presssite.toml": SETTINGS}


def test_images_without_photos_are_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    done = import_id(site, tmp_path)
    assert done.returncode == 2
    assert "3 images in the text but no photos" in done.stderr
    assert "--photos DIR" in done.stderr and "--fetch" in done.stderr
    assert tree_files(site) == {"presssite.toml": SETTINGS}


@pytest.mark.parametrize(
    ("article", "line", "words"),
    [
        (ID_ARTICLE.replace("| Para peserta", "| Para | peserta"), 8, "caption row with 2 cells"),
        (ID_ARTICLE.replace("https://berita.example.net/ekonomi/12345.html", "Antara"), 9, "URL"),
        ("Teks.\n| Keterangan tanpa foto. |\n", 2, "no image above it"),
    ],
    ids=["two-cells", "source-not-a-url", "row-without-image"],
)
def test_an_unreadable_article_names_file_and_line_and_writes_nothing(
    tmp_path: Path, article: str, line: int, words: str
) -> None:
    site = make_site(tmp_path, {})
    done = import_id(
        site, tmp_path, "--photos", photo_folder(tmp_path / "foto", 3), article=article
    )
    assert done.returncode == 1
    assert f"artikel.txt:{line}:" in done.stderr
    assert words in done.stderr
    assert "hint:" in done.stderr
    assert tree_files(site) == {"presssite.toml": SETTINGS}


def test_a_corrupt_or_oversized_photo_is_refused_as_the_build_refuses_it(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    folder = photo_folder(tmp_path / "foto", 3)
    whole = (folder / "IMG_0002.JPG").read_bytes()
    (folder / "IMG_0002.JPG").write_bytes(whole[: len(whole) // 2])  # truncated
    done = import_id(site, tmp_path, "--photos", folder)
    assert done.returncode == 1
    assert "artikel.txt:6:" in done.stderr  # the second image's line
    assert "IMG_0002.JPG" in done.stderr and "cannot decode" in done.stderr
    assert tree_files(site) == {"presssite.toml": SETTINGS}

    small = make_site(
        tmp_path / "small",
        {},
        settings=(
            'title = "T"\nbase_url = "https://example.org/"\ndefault_locale = "id"\n'
            'locales = ["id", "en"]\n[images]\nmax_pixels = 500_000\n'
        ),
    )
    done = import_id(small, tmp_path, "--photos", photo_folder(tmp_path / "big", 3))
    assert done.returncode == 1
    assert "over the limit of 500,000" in done.stderr
    assert list(tree_files(small)) == ["presssite.toml"]


def test_a_text_without_photos_into_another_section(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    article = (
        "Kementerian menyatakan sikapnya.\n\nPernyataan kedua.\nSumber: https://x.example.net/a\n"
    )
    done = import_id(site, tmp_path, "--section", "statements", article=article)
    assert done.returncode == 0, done.stderr
    bundle = site / "content/statements/2026-01-05-pameran-ekspor-dibuka"
    assert [p.name for p in bundle.iterdir()] == ["index.id.md"]
    assert "photos:" not in (bundle / "index.id.md").read_text(encoding="utf-8")
    assert "0 photos" in done.stdout

    build(site)
    tree = page(site, "build/id/statements/pameran-ekspor-dibuka/index.html")
    assert body_shape(tree) == ["p", "p"]
    assert tree.css_first(".gallery") is None
    assert tree.css_first("footer.source a").attributes["href"] == "https://x.example.net/a"


# --------------------------------------------------------------------------- en, --into


def test_en_translation_into_the_bundle_reuses_its_photos(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    assert import_id(site, tmp_path, "--photos", photo_folder(tmp_path / "foto", 3)).returncode == 0
    photos_before = tree_files(site / BUNDLE / "photos")
    english = write(tmp_path / "pasted" / "article.en.txt", EN_ARTICLE)

    done = run_cli(
        "import",
        english,
        "--site",
        site,
        "--locale",
        "en",
        "--title",
        "Export fair opens in Surabaya",
        "--into",
        site / BUNDLE,
    )
    assert done.returncode == 0, done.stderr
    assert "line 9: Comments (3)" in done.stdout and "line 10: Share this article" in done.stdout
    assert tree_files(site / BUNDLE / "photos") == photos_before
    assert sorted(p.name for p in (site / BUNDLE).glob("index.*.md")) == [
        "index.en.md",
        "index.id.md",
    ]
    text = (site / BUNDLE / "index.en.md").read_text(encoding="utf-8")
    assert "date: 2026-01-05T09:00:00+07:00" in text  # the bundle's date

    build(site)
    tree = page(site, "build/en/press/pameran-ekspor-dibuka/index.html")
    assert body_shape(tree) == ["p", "figure", "p", "figure", "figure"]
    assert captions(tree, ".release-body") == [
        # no credit in the text: the photo's credit from the other translation
        ("The minister at the opening.", "Photo: Humas Kemendag"),
        ("", ""),
        ("Exhibitors from ten provinces.", "Photo: AP"),
    ]
    figure_srcs = [img.attributes["src"] for img in tree.css(".release-body figure img")]
    assert [s.rsplit("/", 1)[1].split("-")[0] for s in figure_srcs] == ["01", "02", "03"]
    assert tree.css_first("footer.source a").attributes["href"] == (
        "https://news.example.net/en/12345.html"
    )
    assert "Comments" not in tree.body.text() and "Share this" not in tree.body.text()
    # the two pages are linked as translations of each other
    switch = page(site, PAGE).css_first('link[hreflang="en"]')
    assert switch is not None and "/en/press/pameran-ekspor-dibuka/" in switch.attributes["href"]

    again = run_cli(
        "import", english, "--site", site, "--locale", "en", "--title", "X", "--into", site / BUNDLE
    )
    assert again.returncode == 1
    assert "index.en.md" in again.stderr and "exists already" in again.stderr
    assert (site / BUNDLE / "index.en.md").read_text(encoding="utf-8") == text
    assert sorted(p.name for p in (site / BUNDLE).iterdir()) == [
        "index.en.md",
        "index.id.md",
        "photos",
    ]


def test_into_a_bundle_with_other_photo_count_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    assert import_id(site, tmp_path, "--photos", photo_folder(tmp_path / "foto", 3)).returncode == 0
    english = write(tmp_path / "en.txt", "Only text.\n![]()\nSource: https://n.example.net/1\n")
    done = run_cli(
        "import",
        english,
        "--site",
        site,
        "--locale",
        "en",
        "--title",
        "Export fair",
        "--into",
        "press/2026-01-05-pameran-ekspor-dibuka",  # relative to content/
    )
    assert done.returncode == 1
    assert "1 image(s) in the text but 3 photo(s)" in done.stderr
    assert "photos/01.jpg, photos/02.jpg, photos/03.jpg" in done.stderr
    assert sorted(p.name for p in (site / BUNDLE).iterdir()) == ["index.id.md", "photos"]


# --------------------------------------------------------------------------- vi, --fetch


def test_vi_article_with_fetched_photos(tmp_path: Path, server: Server) -> None:
    serve_photo(server, "/a.jpg", "JPEG")
    serve_photo(server, "/b.png", "PNG")
    site = make_site(tmp_path, {}, settings=VI_SETTINGS)
    article = write(tmp_path / "bai.txt", VI_ARTICLE.format(port=server.port))
    done = run_cli(
        "import",
        article,
        "--site",
        site,
        "--locale",
        "vi",
        "--title",
        "Khai mạc hội chợ xuất khẩu",
        "--date",
        "2026-02-01",
        "--fetch",
    )
    assert done.returncode == 0, done.stderr
    assert sorted(server.hits) == ["/a.jpg", "/b.png"]
    bundle = site / "content/press/2026-02-01-khai-mac-hoi-cho-xuat-khau"
    assert sorted(p.name for p in (bundle / "photos").iterdir()) == ["01.jpg", "02.png"]
    assert (bundle / "photos/01.jpg").read_bytes() == server.routes["/a.jpg"][2]
    assert "line 6: Bình luận (0)" in done.stdout

    build(site)
    tree = page(site, "build/vi/press/khai-mac-hoi-cho-xuat-khau/index.html")
    assert body_shape(tree) == ["figure", "p", "figure"]
    assert captions(tree, ".release-body") == [
        ("Bộ trưởng khai mạc hội chợ xuất khẩu tại Surabaya.", "Ảnh: TTXVN"),
        ("", ""),
    ]
    source = tree.css_first("footer.source")
    assert source.text(strip=True).startswith("Nguồn:")
    assert source.css_first("a").text(strip=True) == "Báo Quốc tế"
    assert "Bình luận" not in tree.body.text()
    assert (
        "127.0.0.1"
        not in (site / "build/vi/press/khai-mac-hoi-cho-xuat-khau/index.html").read_text()
    )


def fetch_request(tmp_path: Path, server: Server, paths: list[str]) -> tuple[Path, command.Request]:
    site = make_site(tmp_path, {})
    lines = []
    for path in paths:
        lines += [f"![]({server.url(path) if path.startswith('/') else path})", "| Foto. |"]
    article = write(tmp_path / "artikel.txt", "\n".join([*lines, "Teks.", ""]))
    return site, command.Request(file=article, locale="id", title="Pameran", fetch=True)


def refused(site: Path, request: command.Request, **limits: float) -> list[str]:
    """The messages of the import's errors; the content folder must be left empty."""
    with pytest.raises(PresssiteError) as info:
        command.run(settings_.load(site), request, **limits)  # type: ignore[arg-type]
    error = info.value
    found = list(error) if isinstance(error, ErrorList) else [error]
    assert tree_files(site) == {"presssite.toml": SETTINGS}
    assert all(e.path == request.file for e in found)
    return [f"{e.line}: {e.message}" for e in found]


def test_fetch_refuses_what_is_not_an_image_a_build_takes(tmp_path: Path, server: Server) -> None:
    serve_photo(server, "/ok.jpg")
    server.routes["/page.html"] = (200, {"Content-Type": "text/html"}, b"<html>not a photo</html>")
    whole = image_bytes("JPEG")
    server.routes["/cut.jpg"] = (200, {"Content-Type": "image/jpeg"}, whole[: len(whole) // 2])
    site, request = fetch_request(
        tmp_path, server, ["/ok.jpg", "/page.html", "/cut.jpg", "/gone.jpg"]
    )
    messages = refused(site, request)
    assert len(messages) == 3
    assert messages[0].startswith("3: ") and "not an image Pillow can read" in messages[0]
    assert messages[1].startswith("5: ") and "cannot decode" in messages[1]
    assert messages[2].startswith("7: ") and "HTTP 404" in messages[2]


def bomb_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A PNG whose header claims 1.6 billion pixels: a decompression bomb, a few bytes long."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    idat = zlib.compress(b"\0" * (width + 1))  # one row; the header is what counts
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_fetch_refuses_a_decompression_bomb(tmp_path: Path, server: Server) -> None:
    server.routes["/bomb.png"] = (200, {"Content-Type": "image/png"}, bomb_png())
    site, request = fetch_request(tmp_path, server, ["/bomb.png"])
    [message] = refused(site, request)
    assert message.startswith("1: ") and "decompression bomb" in message


def test_fetch_refuses_other_schemes_and_redirects_to_them(tmp_path: Path, server: Server) -> None:
    server.routes["/to-file"] = (302, {"Location": "file:///etc/passwd"}, b"")
    server.routes["/to-ftp"] = (302, {"Location": "ftp://127.0.0.1/a.jpg"}, b"")
    site, request = fetch_request(tmp_path, server, ["file:///etc/passwd", "ftp://x.org/a.jpg"])
    messages = refused(site, request)
    assert [m.split(":")[0] for m in messages] == ["1", "3"]
    assert all("no http or https URL" in m for m in messages)

    site, request = fetch_request(tmp_path / "redirect", server, ["/to-file", "/to-ftp"])
    to_file, to_ftp = refused(site, request)
    assert "file:///etc/passwd" in to_file and "not allowed" in to_file
    assert "redirected to ftp://127.0.0.1/a.jpg, which is not http or https" in to_ftp


def test_fetch_has_a_size_limit_and_a_time_limit(tmp_path: Path, server: Server) -> None:
    photo = image_bytes("JPEG")
    server.routes["/big.jpg"] = (200, {"Content-Type": "image/jpeg"}, photo)
    server.routes["/stream.jpg"] = (200, {"Content-Type": "image/jpeg"}, photo)  # no length
    server.routes["/slow.jpg"] = (200, {"Content-Type": "image/jpeg"}, photo)
    site, request = fetch_request(tmp_path, server, ["/big.jpg", "/stream.jpg"])
    messages = refused(site, request, max_bytes=len(photo) - 1)
    assert f"{len(photo):,} bytes, over the limit of {len(photo) - 1:,} bytes" in messages[0]
    assert f"more than {len(photo) - 1:,} bytes" in messages[1]

    site, request = fetch_request(tmp_path / "slow", server, ["/slow.jpg"])
    [message] = refused(site, request, timeout=0.5)
    assert "no answer within 0.5 s" in message


def test_fetch_needs_a_url_for_every_image(tmp_path: Path) -> None:
    site = make_site(tmp_path, {})
    done = import_id(site, tmp_path, "--fetch")
    assert done.returncode == 1
    assert "artikel.txt:1:" in done.stderr and "artikel.txt:6:" in done.stderr
    assert "no http or https URL to fetch" in done.stderr
