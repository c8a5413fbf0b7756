"""Security headers a static host allows, on the built example site: a Content Security
Policy and a referrer policy in every page's ``<meta>``, no inline script or style, no
resource from another origin (so no mixed content), and Lighthouse's best-practices and
SEO audits at 100 on the home page and a release page of each locale."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lighthouse
import pytest
from conftest import REPO, run_cli, serve_folder
from selectolax.lexbor import LexborHTMLParser as HTMLParser

BUILD_CLOCK = "2026-11-28T12:00:00+07:00"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "media-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


@dataclass(frozen=True)
class Example:
    srv: Path  # served at the server's root
    out: Path  # srv plus the base path
    base_path: str  # "/portal/"
    locales: tuple[str, ...]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    with (REPO / "presssite.toml").open("rb") as fh:
        settings = tomllib.load(fh)
    base_path = urlsplit(settings["base_url"]).path or "/"
    srv = tmp_path_factory.mktemp("srv")
    out = srv.joinpath(*base_path.strip("/").split("/")) if base_path != "/" else srv
    result = run_cli("build", "--site", REPO, "--out", out, "--now", BUILD_CLOCK)
    assert result.returncode == 0, result.stderr
    return Example(srv, out, base_path, tuple(settings["locales"]))


@pytest.fixture(scope="module")
def server(example: Example) -> Iterator[str]:
    """The output served on 127.0.0.1 under its base path; yields the site's local URL."""
    with serve_folder(example.srv) as origin:
        yield f"{origin}{example.base_path}"


def policy_of(tree: HTMLParser) -> dict[str, list[str]]:
    [meta] = tree.css('meta[http-equiv="Content-Security-Policy"]')
    directives = [d.split() for d in (meta.attributes["content"] or "").split(";") if d.strip()]
    return {name: values for name, *values in directives}


def release_page(example: Example, locale: str) -> str:
    """A release with photos (the most that a release page shows), relative to the site."""
    for page in sorted((example.out / locale / "press").glob("*/index.html")):
        if HTMLParser(page.read_text(encoding="utf-8")).css("main figure"):
            return page.parent.relative_to(example.out).as_posix() + "/"
    raise AssertionError(f"no release with photos in {locale}")


# --------------------------------------------------------------------------- every page


def test_every_page_has_the_policy_and_no_inline_script_or_style(example: Example) -> None:
    pages = sorted(example.out.rglob("*.html"))
    assert len(pages) > 20
    assert any(p.match("*/search/index.html") for p in pages)
    for page in pages:
        tree = HTMLParser(page.read_text(encoding="utf-8"))
        where = page.relative_to(example.out).as_posix()
        expected = POLICY
        if where.endswith("/search/index.html"):  # Pagefind runs WebAssembly, nothing more
            expected = {**POLICY, "script-src": ["'self'", "'wasm-unsafe-eval'"]}
        assert policy_of(tree) == expected, where
        head = tree.css_first("head")
        assert head is not None
        first = head.css("meta")[:2]
        assert first[1].attributes.get("http-equiv") == "Content-Security-Policy", where
        [referrer] = tree.css('meta[name="referrer"]')
        assert referrer.attributes["content"] == "strict-origin-when-cross-origin", where
        for script in tree.css("script"):
            inline = "src" not in script.attributes
            data_block = script.attributes.get("type") == "application/ld+json"
            assert not inline or data_block, f"{where}: inline script {script.html[:80]}"
        assert not tree.css("[style]"), f"{where}: inline style attribute"
        assert not tree.css("style"), f"{where}: inline <style>"


def test_no_page_loads_anything_from_another_origin(example: Example) -> None:
    """Scripts, stylesheets, images and icons come from the site itself, so an https page
    never loads an http resource (links to other sites are fine: they load nothing)."""
    loaded = "script[src], link[rel~=stylesheet], link[rel~=icon], img[src], source[srcset]"
    for page in sorted(example.out.rglob("*.html")):
        tree = HTMLParser(page.read_text(encoding="utf-8"))
        for node in tree.css(loaded):
            for attr in ("src", "href", "srcset"):
                value = node.attributes.get(attr)
                if value:
                    assert value.startswith(example.base_path), (page, attr, value)


# --------------------------------------------------------------------------- in a browser


@pytest.mark.browser
@pytest.mark.parametrize(("languages", "lands"), [("en-GB", "en/"), ("vi", "id/")])
def test_the_root_page_redirects_under_the_policy(
    server: str, browser: Any, languages: str, lands: str
) -> None:
    context = browser.new_context(locale=languages)
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(server, wait_until="load")
        page.wait_for_url(server + lands)
        assert problems == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_policy_blocks_an_inline_script(server: str, browser: Any, example: Example) -> None:
    """The policy is in force, not only written: a script added inline does not run."""
    page = browser.new_page()
    try:
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
        html = (example.out / "en" / "index.html").read_text(encoding="utf-8")
        injected = html.replace("</body>", "<script>document.title = 'ran';</script></body>")
        page.route(
            server + "en/", lambda route: route.fulfill(body=injected, content_type="text/html")
        )
        page.goto(server + "en/", wait_until="load")
        assert page.title() != "ran"
        assert any("Content Security Policy" in text for text in violations)
    finally:
        page.close()


# --------------------------------------------------------------------------- Lighthouse


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["home", "release"])
@pytest.mark.parametrize("locale", ["id", "en"])
def test_lighthouse_best_practices_and_seo_score_100(
    example: Example, server: str, kind: str, locale: str
) -> None:
    assert locale in example.locales
    path = f"{locale}/" if kind == "home" else release_page(example, locale)
    report = lighthouse.audit(server + path)
    for category in ("best-practices", "seo"):
        assert report.scores[category] == 100, report.failing(category)
