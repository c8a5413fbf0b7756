"""The generic dev server: a real server on a free port, serving a temp folder.

Requests go through ``http.client``, which sends the request target exactly as written,
so the traversal cases reach the server undecoded and unnormalised.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from presssite.leftovers import unwanted
from presssite.serve.httpd import Problem, RebuildResult, route
from presssite.serve.server import DevServer, PortInUse

SECRET = "top-secret-outside-the-site"
INDEX = "<!doctype html><html><head><title>Home</title></head><body><p>home</p></body></html>"
NOT_FOUND = (
    "<!doctype html><html><head><title>Gone</title></head><body><p>site-404</p></body></html>"
)


class Recorder:
    """A rebuild callable that records its calls; ``behave`` sets what it does."""

    def __init__(self) -> None:
        self.calls: list[set[Path]] = []
        self.returned_at: list[float] = []
        self.behave: Callable[[set[Path]], RebuildResult] = lambda _: RebuildResult()

    def __call__(self, paths: set[Path]) -> RebuildResult:
        self.calls.append(set(paths))
        result = self.behave(paths)
        self.returned_at.append(time.monotonic())
        return result


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text(SECRET)
    out = tmp_path / "out"
    files = {
        "index.html": INDEX,
        "404.html": NOT_FOUND,
        "en/press/x/index.html": INDEX.replace("home", "release"),
        "static/site.css": "body { color: red }\n</body>\n",
        "static/site.js": "console.log('</body>')\n",
        "static/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "en/feed.xml": "<?xml version='1.0'?><feed/>",
        "data.json": "{}",
        "img/a.webp": "webp",
        "img/a.avif": "avif",
    }
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    (out / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (out / "leakdir").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "src" / "ignored").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def server(site: Path, recorder: Recorder) -> Iterator[DevServer]:
    dev = DevServer(
        site / "out",
        rebuild=recorder,
        watch=[site / "src"],
        ignore=[site / "src" / "ignored"],
        ignore_name=unwanted,
        port=0,
        base_path="/portal/",
        debounce=0.08,
    )
    dev.start(initial_build=False)
    try:
        yield dev
    finally:
        dev.stop()


def get(server: DevServer, target: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", target)
    response = conn.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


class Events:
    """A Server-Sent Events client reading the live-reload stream, with bounded waits."""

    def __init__(self, server: DevServer, since: int | None = None) -> None:
        """``since``: the generation the page was served with; the current one by default."""
        since = server.hub.generation if since is None else since
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        self.conn.connect()
        self.sock = self.conn.sock  # http.client lets go of it once the response starts
        self.conn.request("GET", f"{server.base_path}__presssite__/events?since={since}")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self, timeout: float = 5.0) -> tuple[str, dict[str, object], float]:
        """The next named event, its data and the time it arrived; fails after ``timeout``."""
        self.sock.settimeout(timeout)
        name, data = None, None
        while True:
            line = self.response.fp.readline().decode()
            if line == "":
                raise EOFError("stream closed")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and name is not None:
                return name, data or {}, time.monotonic()

    def close(self) -> None:
        self.response.close()
        self.sock.close()


# --------------------------------------------------------------------------- path safety


@pytest.mark.parametrize(
    "target",
    [
        "/portal/../secret.txt",
        "/portal/en/../../secret.txt",
        "/portal/%2e%2e/secret.txt",
        "/portal/%2E%2E/secret.txt",
        "/portal/en%2F..%2F..%2Fsecret.txt",
        "/portal/..%5csecret.txt",
        "/portal//etc/passwd",
        "/portal/%2Fetc/passwd",
        "/etc/passwd",
        "/portal/leak.txt",
        "/portal/leakdir/secret.txt",
        "/portal/index.html%00.txt",
        "/portal/nothing-here/",
    ],
    ids=[
        "dotdot",
        "dotdot-deep",
        "encoded-dotdot",
        "encoded-dotdot-upper",
        "encoded-slashes",
        "encoded-backslash",
        "absolute-after-base",
        "encoded-absolute",
        "outside-base",
        "symlink-file-outside",
        "symlink-dir-outside",
        "nul",
        "missing",
    ],
)
def test_paths_outside_the_folder_are_404_with_the_sites_page(
    server: DevServer, target: str
) -> None:
    response = get(server, target)
    assert response.status == 404
    body = response.body.decode()  # type: ignore[attr-defined]
    assert SECRET not in body
    assert "site-404" in body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/portal/en/", ("file", "en/")),
        ("/portal/a%20b.html?x=1", ("file", "a b.html")),
        ("/portal/%252e%252e/x", ("file", "%2e%2e/x")),  # decoded once only
        ("/", ("redirect", "/portal/")),
        ("/portal", ("redirect", "/portal/")),
        ("/portal/__presssite__/events?since=3", ("special", "events")),
        ("/portal/./x", ("missing", "")),
        ("/portal/a//b", ("missing", "")),
    ],
    ids=["folder", "escapes", "double-encoded", "root", "no-slash", "events", "dot", "empty"],
)
def test_route(raw: str, expected: tuple[str, str]) -> None:
    assert route(raw, "/portal/") == expected


# --------------------------------------------------------------------------- sub-path


def test_root_redirects_to_the_sub_path(server: DevServer) -> None:
    response = get(server, "/")
    assert response.status == 302
    assert response.getheader("Location") == "/portal/"


def test_sub_path_is_served(server: DevServer) -> None:
    home = get(server, "/portal/")
    assert home.status == 200
    assert HTMLParser(home.body).css_first("p").text() == "home"  # type: ignore[attr-defined]
    page = get(server, "/portal/en/press/x/")
    assert HTMLParser(page.body).css_first("p").text() == "release"  # type: ignore[attr-defined]


def test_folder_without_slash_redirects(server: DevServer) -> None:
    response = get(server, "/portal/en/press/x")
    assert response.status == 301
    assert response.getheader("Location") == "/portal/en/press/x/"


def test_other_prefix_is_not_served(server: DevServer) -> None:
    assert get(server, "/en/press/x/").status == 404


@pytest.mark.parametrize(
    ("target", "ctype"),
    [
        ("/portal/", "text/html; charset=utf-8"),
        ("/portal/static/site.css", "text/css; charset=utf-8"),
        ("/portal/static/site.js", "text/javascript; charset=utf-8"),
        ("/portal/static/logo.svg", "image/svg+xml"),
        ("/portal/en/feed.xml", "application/xml"),
        ("/portal/data.json", "application/json"),
        ("/portal/img/a.webp", "image/webp"),
        ("/portal/img/a.avif", "image/avif"),
    ],
    ids=["html", "css", "js", "svg", "xml", "json", "webp", "avif"],
)
def test_content_types(server: DevServer, target: str, ctype: str) -> None:
    response = get(server, target)
    assert response.status == 200
    assert response.getheader("Content-Type") == ctype


# --------------------------------------------------------------------------- injection


def test_reload_script_injected_into_html_responses_only(server: DevServer, site: Path) -> None:
    tree = HTMLParser(get(server, "/portal/").body)  # type: ignore[attr-defined]
    scripts = [s.attributes.get("src") or "" for s in tree.css("body script")]
    assert any(s.startswith("/portal/__presssite__/livereload.js") for s in scripts)
    assert (site / "out" / "index.html").read_text() == INDEX  # the file on disk is untouched
    for rel in ("static/site.css", "static/site.js"):
        assert get(server, f"/portal/{rel}").body == (site / "out" / rel).read_bytes()  # type: ignore[attr-defined]
    missing = HTMLParser(get(server, "/portal/nope/").body)  # type: ignore[attr-defined]
    assert missing.css_first('script[src*="livereload.js"]') is not None


def test_client_script_is_served(server: DevServer) -> None:
    response = get(server, "/portal/__presssite__/livereload.js")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert b"EventSource" in response.body  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- live reload


def test_reload_is_sent_after_the_rebuild_returns(
    server: DevServer, site: Path, recorder: Recorder
) -> None:
    def slow(paths: set[Path]) -> RebuildResult:
        time.sleep(0.3)
        return RebuildResult()

    recorder.behave = slow
    events = Events(server)
    (site / "src" / "a.md").write_text("changed")
    name, _, arrived = events.next()
    assert name == "reload"
    assert recorder.calls == [{site / "src" / "a.md"}]
    assert arrived >= recorder.returned_at[0]
    events.close()


def test_error_then_fix(server: DevServer, site: Path, recorder: Recorder) -> None:
    recorder.behave = lambda _: RebuildResult(
        problem=Problem(message="bad YAML", file="content/x/index.en.md", line=3)
    )
    events = Events(server)
    (site / "src" / "x.md").write_text("broken")
    name, data, _ = events.next()
    assert (name, data["file"], data["line"], data["message"]) == (
        "error",
        "content/x/index.en.md",
        3,
        "bad YAML",
    )
    late = Events(server)  # a page opened while broken is told too
    assert late.next()[0] == "error"
    recorder.behave = lambda _: RebuildResult()
    (site / "src" / "x.md").write_text("fixed")
    assert events.next()[0] == "reload"
    events.close()
    late.close()


def test_css_event(server: DevServer, site: Path, recorder: Recorder) -> None:
    recorder.behave = lambda _: RebuildResult(action="css")
    events = Events(server)
    (site / "src" / "site.css").write_text("body {}")
    assert events.next()[0] == "css"
    events.close()


def test_a_browser_that_missed_a_rebuild_reloads_on_connect(
    server: DevServer, site: Path, recorder: Recorder
) -> None:
    page = HTMLParser(get(server, "/portal/").body)  # type: ignore[attr-defined]
    src = page.css_first('script[src*="livereload.js"]').attributes["src"] or ""
    since = server.hub.generation
    assert src.endswith(f"since={since}")
    server.changed([site / "src" / "a.md"])
    deadline = time.monotonic() + 5
    while not recorder.returned_at and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.05)
    events = Events(server, since=since)
    assert events.next()[0] == "reload"
    events.close()


def test_a_page_from_an_earlier_server_reloads_on_connect(server: DevServer) -> None:
    events = Events(server, since=1)
    assert events.next()[0] == "reload"
    events.close()


# --------------------------------------------------------------------------- watching


def test_a_burst_of_events_gives_one_rebuild(
    server: DevServer, site: Path, recorder: Recorder
) -> None:
    events = Events(server)
    target = site / "src" / "doc.md"
    for i in range(5):  # an editor's save: temp file, write, rename, touch...
        (site / "src" / ".doc.md.swp").write_text(str(i))
        (site / "src" / "doc.md~").write_text(str(i))
        target.write_text(f"version {i}")
        time.sleep(0.01)
    assert events.next()[0] == "reload"
    time.sleep(0.4)
    assert recorder.calls == [{target}]
    events.close()


def test_editor_temp_and_ignored_files_alone_do_not_rebuild(
    server: DevServer, site: Path, recorder: Recorder
) -> None:
    (site / "src" / ".#doc.md").write_text("lock")
    (site / "src" / "doc.md.swp").write_text("swap")
    (site / "src" / "ignored" / "out.html").write_text("output")
    time.sleep(0.5)
    assert recorder.calls == []


def test_sed_in_place_reports_only_the_edited_file(
    server: DevServer, site: Path, recorder: Recorder
) -> None:
    """A real ``sed -i``: its temporary file (created, written, renamed) is not a change."""
    import shutil
    import subprocess

    target = site / "src" / "style.css"
    target.write_text("a { color: red }\n")
    time.sleep(0.4)
    recorder.calls.clear()
    sed = shutil.which("sed")
    assert sed is not None
    subprocess.run([sed, "-i", "s/red/blue/", str(target)], check=True)
    deadline = time.monotonic() + 5
    while not recorder.calls and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert recorder.calls == [{target}]


def test_changes_during_a_rebuild_give_exactly_one_more(
    server: DevServer, site: Path, recorder: Recorder
) -> None:
    started = threading.Event()

    def slow(paths: set[Path]) -> RebuildResult:
        started.set()
        time.sleep(0.4)
        return RebuildResult()

    recorder.behave = slow
    events = Events(server)
    (site / "src" / "a.md").write_text("1")
    assert started.wait(5)
    for name in ("b.md", "c.md", "d.md"):
        (site / "src" / name).write_text("2")
        time.sleep(0.02)
    assert events.next()[0] == "reload"
    assert events.next()[0] == "reload"
    time.sleep(0.5)
    assert len(recorder.calls) == 2
    assert recorder.calls[1] == {site / "src" / n for n in ("b.md", "c.md", "d.md")}
    events.close()


# --------------------------------------------------------------------------- lifecycle


def test_stop_leaves_no_thread_and_no_temp_folder(site: Path, recorder: Recorder) -> None:
    before = set(threading.enumerate())
    dev = DevServer(site / "out", rebuild=recorder, watch=[site / "src"], port=0)
    since = dev.hub.generation  # a page served before the first build
    dev.start()
    workdir = dev.workdir
    try:
        assert workdir.is_dir()
        events = Events(dev, since=since)
        assert events.next()[0] == "reload"  # the first build
        idle = socket.create_connection(("127.0.0.1", dev.port))  # connected, never asks
        started = time.monotonic()
    finally:
        dev.stop()
    assert time.monotonic() - started < 5
    with pytest.raises((EOFError, OSError)):
        events.next(timeout=2)
    idle.close()
    events.close()
    assert not workdir.exists()
    assert set(threading.enumerate()) - before == set()


def test_port_in_use(site: Path, recorder: Recorder) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse):
            DevServer(site / "out", rebuild=recorder, port=port, strict_port=True)
        dev = DevServer(site / "out", rebuild=recorder, port=port)
        try:
            assert dev.port != port
            assert dev.url.startswith(f"http://127.0.0.1:{dev.port}/")
        finally:
            dev.stop()
            assert not dev.workdir.exists()
