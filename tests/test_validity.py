"""The built example site is valid, accessible and has no broken internal links.

The example site at the top of the repository is built once, at a fixed build clock, into
``<tmp>/srv/<base path>`` so that a local HTTP server rooted at ``<tmp>/srv`` serves it under
the same sub-path as ``base_url`` (``/portal/``). Then:

- the Nu Html Checker (``vnu.jar``, one Java run for every page) reports zero errors;
- axe-core, injected into a sample of pages in headless Chromium, finds no serious or
  critical accessibility violation;
- every internal ``href``, ``src`` and ``srcset`` URL of every page resolves to a file of
  the output, and every in-page ``#fragment`` to an element of that page.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import REPO, run_cli, serve_folder
from selectolax.lexbor import LexborHTMLParser as HTMLParser

BUILD_CLOCK = "2026-11-28T12:00:00+07:00"
EXTERNAL_SCHEMES = ("mailto:", "tel:", "data:", "javascript:", "blob:")
URL_ATTRIBUTES = {"href": "a[href], link[href], area[href]", "src": "[src]"}
SRCSET_SELECTOR = "img[srcset], source[srcset]"


@dataclass(frozen=True)
class BuiltSite:
    """The example site built into ``out``, which is ``srv`` plus the base path."""

    srv: Path
    out: Path
    base_url: str  # e.g. "https://example.org/portal/"
    base_path: str  # e.g. "/portal/"
    locales: tuple[str, ...]
    stdout: str

    def pages(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))

    def url_of(self, page: Path) -> str:
        """The absolute public URL a page is served at."""
        rel = page.relative_to(self.out).as_posix()
        if rel == "index.html":
            rel = ""
        elif rel.endswith("/index.html"):
            rel = rel[: -len("index.html")]
        return self.base_url + rel


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    with (REPO / "presssite.toml").open("rb") as fh:
        settings = tomllib.load(fh)
    base_url: str = settings["base_url"]
    base_path = urlsplit(base_url).path or "/"
    srv = tmp_path_factory.mktemp("srv")
    out = srv.joinpath(*base_path.strip("/").split("/")) if base_path != "/" else srv
    out.parent.mkdir(parents=True, exist_ok=True)
    result = run_cli("build", "--site", REPO, "--out", out, "--now", BUILD_CLOCK)
    if result.returncode != 0:
        pytest.fail(
            f"building the example site failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return BuiltSite(
        srv=srv,
        out=out,
        base_url=base_url,
        base_path=base_path,
        locales=tuple(settings["locales"]),
        stdout=result.stdout,
    )


# --------------------------------------------------------------------------- the build


def test_example_site_builds_both_locales(example: BuiltSite) -> None:
    for loc in example.locales:
        assert (example.out / loc / "index.html").is_file(), f"no home page for {loc}"
    assert (example.out / "index.html").is_file()
    assert (example.out / "404.html").is_file()
    # page_size 5 with more releases than that: the Indonesian home paginates
    assert (example.out / "id" / "page" / "1" / "index.html").is_file()


EMBARGOED = "press/2030-01-01-joint-statement-maritime-cooperation"
DRAFT = "press/2026-11-26-youth-exchange-programme"
UNTRANSLATED = "press/2026-11-03-scholarship-programme-2027"


def _front_matter(bundle: str, locale: str) -> dict[str, Any]:
    text = (REPO / "content" / bundle / f"index.{locale}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


@pytest.mark.parametrize("bundle", [EMBARGOED, DRAFT], ids=["embargoed", "draft"])
def test_example_site_hides_embargoed_and_draft_releases(example: BuiltSite, bundle: str) -> None:
    titles = [_front_matter(bundle, loc)["title"] for loc in example.locales]
    slug = bundle.rsplit("/", 1)[1][len("2026-01-01-") :]
    for page in example.pages():
        text = page.read_text(encoding="utf-8")
        for title in titles:
            assert html.escape(title, quote=False) not in text, f"{title!r} shown in {page}"
    leaked = [p for p in example.out.rglob("*") if slug in p.as_posix()]
    assert not leaked, f"files of {bundle} were published: {leaked}"


def test_example_site_reports_its_missing_translation(example: BuiltSite) -> None:
    assert (REPO / "content" / UNTRANSLATED / "index.id.md").is_file()
    assert not (REPO / "content" / UNTRANSLATED / "index.en.md").exists()
    assert UNTRANSLATED in example.stdout, example.stdout


# --------------------------------------------------------------------------- Nu Html Checker


def test_every_page_is_valid_html(example: BuiltSite, vnu_jar: Path) -> None:
    pages = example.pages()
    assert len(pages) >= 20, f"only {len(pages)} pages built"
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    try:
        report = json.loads(result.stderr or result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar gave no JSON report:\n{result.stdout}\n{result.stderr}")
    problems = [
        f"{_rel(m.get('url', ''), example.out)}:{m.get('lastLine', '?')}: "
        f"{m.get('message', '')}\n    {m.get('extract', '').strip()}"
        for m in report.get("messages", [])
        if m.get("type") in ("error", "non-document-error", "fatal")
    ]
    assert not problems, f"{len(problems)} HTML errors:\n" + "\n".join(problems[:60])
    assert result.returncode == 0, result.stderr


def _rel(url: str, out: Path) -> str:
    path = unquote(urlsplit(url).path)
    try:
        return Path(path).relative_to(out).as_posix()
    except ValueError:
        return url


# --------------------------------------------------------------------------- axe-core


@pytest.fixture(scope="module")
def server(example: BuiltSite) -> Iterator[str]:
    """Serve the output on 127.0.0.1 under its base path; yields the site's local URL."""
    with serve_folder(example.srv) as origin:
        yield f"{origin}{example.base_path}"


def _release_with_largest_gallery(out: Path, locale: str) -> str:
    best, best_count = None, -1
    for page in sorted((out / locale / "press").glob("*/index.html")):
        tree = HTMLParser(page.read_text(encoding="utf-8"))
        count = len(tree.css("main figure"))
        if count > best_count:
            best, best_count = page, count
    assert best is not None and best_count > 0, f"no release with photos in {locale}"
    return best.parent.relative_to(out).as_posix() + "/"


def _sample(example: BuiltSite, name: str) -> str:
    """A sample page's output-relative URL path, found in the built output."""
    out = example.out
    if name == "root":
        return ""
    if name == "404":
        return "404.html"
    kind, _, loc = name.partition("-")
    if kind == "home":
        return f"{loc}/"
    if kind == "release":
        return _release_with_largest_gallery(out, loc)
    if kind == "about":
        assert (out / loc / "about" / "index.html").is_file(), f"no about page in {loc}"
        return f"{loc}/about/"
    if kind == "section":
        assert (out / loc / "statements" / "index.html").is_file(), f"no statements in {loc}"
        return f"{loc}/statements/"
    if kind == "archive":
        assert (out / loc / "archive" / "index.html").is_file(), f"no archive in {loc}"
        return f"{loc}/archive/"
    if kind == "year":
        years = sorted((out / loc / "archive").glob("*/index.html"))
        assert len(years) >= 2, f"the archive of {loc} spans fewer than two years"
        return years[0].parent.relative_to(out).as_posix() + "/"
    if kind == "search":  # with a query: the results are checked too
        return f"{loc}/search/?q=" + ("pernyataan" if loc == "id" else "statement")
    if kind == "tag":
        tags = sorted((out / loc / "tags").glob("*/index.html"))
        assert tags, f"no tag pages in {loc}"
        return tags[0].parent.relative_to(out).as_posix() + "/"
    raise AssertionError(name)


def _without_scripts(route: Any) -> None:
    response = route.fetch()
    body = re.sub(r"<script\b.*?</script>", "", response.text(), flags=re.S | re.I)
    route.fulfill(response=response, body=body)


SAMPLES = [
    "root",
    "home-id",
    "home-en",
    "release-id",
    "release-en",
    "about-id",
    "about-en",
    "tag-id",
    "tag-en",
    "section-id",
    "section-en",
    "archive-id",
    "year-en",
    "search-id",
    "search-en",
    "404",
]


@pytest.mark.browser
@pytest.mark.parametrize("name", SAMPLES)
def test_no_serious_accessibility_violations(
    example: BuiltSite, server: str, browser: Any, axe_source: str, name: str
) -> None:
    url = server + _sample(example, name)
    # axe-core goes in as an inline script, which the pages' Content Security Policy forbids.
    context = browser.new_context(
        locale="id-ID", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    try:
        page = context.new_page()
        if name == "root":
            # The root page sends visitors to their language with a script; without
            # scripts it shows its own content (links to both homes), which must be
            # accessible. Serve it with its scripts removed to see that content.
            page.route(url, _without_scripts)
        response = page.goto(url, wait_until="load")
        assert response is not None
        assert response.ok or name == "404", f"{url}: HTTP {response.status}"
        assert page.url == url, f"{url} went to {page.url}"
        if name.startswith("search-"):  # the query runs on load: wait for its results
            page.wait_for_selector(".pagefind-ui__result", timeout=15000)
        page.add_script_tag(content=axe_source)
        results = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations']})"
        )
    finally:
        context.close()
    serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    lines = [
        f"{v['impact']}: {v['id']}: {v['help']}\n    "
        + "\n    ".join(
            f"{', '.join(n['target'])}: {n.get('failureSummary', '')[:200]!r}"
            for n in v["nodes"][:5]
        )
        for v in serious
    ]
    assert not serious, f"{url}:\n" + "\n".join(lines)


# --------------------------------------------------------------------------- internal links


def _urls(tree: HTMLParser) -> Iterator[str]:
    for attr, selector in URL_ATTRIBUTES.items():
        for node in tree.css(selector):
            value = node.attributes.get(attr)
            if value is not None:
                yield value
    for node in tree.css(SRCSET_SELECTOR):
        for candidate in (node.attributes.get("srcset") or "").split(","):
            parts = candidate.split()
            if parts:
                yield parts[0]


def _resolve(example: BuiltSite, page_url: str, ref: str) -> tuple[str, Path | None]:
    """(absolute URL, output file) for an internal URL; file None for an external one."""
    absolute = urljoin(page_url, ref.strip())
    parts = urlsplit(absolute)
    base = urlsplit(example.base_url)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return absolute, None
    path = unquote(parts.path)
    if not path.startswith(example.base_path):
        if urlsplit(ref).scheme:
            return absolute, None  # another site on the same host
        return absolute, example.out / "__outside_base_path__"
    target = example.out / path[len(example.base_path) :]
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return absolute, target


def test_every_internal_url_resolves_to_a_built_file(example: BuiltSite) -> None:
    broken: list[str] = []
    checked = 0
    for page in example.pages():
        rel = page.relative_to(example.out).as_posix()
        page_url = example.url_of(page)
        tree = HTMLParser(page.read_text(encoding="utf-8"))
        ids = {node.attributes.get("id") for node in tree.css("[id]")}
        for ref in _urls(tree):
            ref = ref.strip()
            if not ref or ref.lower().startswith(EXTERNAL_SCHEMES):
                continue
            if ref.startswith("#"):
                checked += 1
                if ref != "#" and unquote(ref[1:]) not in ids:
                    broken.append(f"{rel}: {ref} names no element of the page")
                continue
            absolute, target = _resolve(example, page_url, ref)
            if target is None:
                continue
            checked += 1
            if not target.is_file():
                broken.append(f"{rel}: {ref} -> {absolute} (no file {target})")
    assert checked > 100, f"only {checked} internal URLs found: is the output complete?"
    assert not broken, f"{len(broken)} broken internal URLs:\n" + "\n".join(broken[:80])


def test_404_page_uses_no_relative_urls(example: BuiltSite) -> None:
    """404.html is served at whatever path was missing, so a relative URL in it breaks."""
    tree = HTMLParser((example.out / "404.html").read_text(encoding="utf-8"))
    relative = [
        ref
        for ref in _urls(tree)
        if ref
        and not ref.startswith(("/", "#"))
        and not ref.lower().startswith(EXTERNAL_SCHEMES)
        and not urlsplit(ref).scheme
    ]
    assert not relative, f"relative URLs in 404.html: {relative}"
