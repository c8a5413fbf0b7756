"""Search in headless Chromium: each locale's index, the section filter, embargoes, and
what a first query loads over the network."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from conftest import DEFAULT_SETTINGS, make_site, run_cli, serve_folder
from factories import release

from presssite import build as build_
from presssite import settings as settings_
from presssite import urls as urls_

pytestmark = pytest.mark.browser

BEFORE = "2026-03-01T12:00:00+07:00"
AFTER = "2026-04-02T12:00:00+07:00"  # after the embargo below lifts


FILES = {
    "content/press/2026-01-10-kapal/index.id.md": release(
        "Kapal baru", "2026-01-10T09:00:00+07:00", "Burung kenari di pelabuhan. Mercusuar."
    ),
    "content/press/2026-01-10-kapal/index.en.md": release(
        "New ship", "2026-01-10T09:00:00+07:00", "An albatross over the harbour. Lighthouse."
    ),
    "content/statements/2026-02-10-pelabuhan/index.id.md": release(
        "Pernyataan pelabuhan", "2026-02-10T09:00:00+07:00", "Mercusuar pelabuhan dibuka."
    ),
    "content/statements/2026-02-10-pelabuhan/index.en.md": release(
        "Harbour statement", "2026-02-10T09:00:00+07:00", "The harbour lighthouse opens."
    ),
    # an older year: a part of each locale's index of its own, which the page merges in
    "content/press/2025-06-01-lama/index.id.md": release(
        "Mercusuar lama", "2025-06-01T09:00:00+07:00", "Burung kakatua di menara. Mercusuar."
    ),
    "content/press/2025-06-01-lama/index.en.md": release(
        "Old lighthouse", "2025-06-01T09:00:00+07:00", "A cormorant on the old lighthouse."
    ),
    "content/press/2026-02-20-rahasia/index.en.md": release(
        "Secret accord",
        "2026-02-20T09:00:00+07:00",
        "The zanzibarite accord is signed.",
        embargo="2026-04-01T09:00:00+07:00",
    ),
}
SETTINGS = (
    DEFAULT_SETTINGS + '[sections.statements]\ntitle = { id = "Pernyataan", en = "Statements" }\n'
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The site built twice, before and after the embargo lifts: name -> its URL. Its
    index is in parts of one release at most (a large site's are of thousands), so the
    search page merges each older year's part into the main one."""
    tmp = tmp_path_factory.mktemp("search")
    root = make_site(tmp, FILES, settings=SETTINGS)
    with contextlib.ExitStack() as stack, pytest.MonkeyPatch.context() as patch:
        patch.setattr(urls_, "PART_PAGES", 1)
        found = {}
        for name, now in (("before", BEFORE), ("after", AFTER)):
            out = tmp / name / "portal"
            build_.build(settings_.load(root), target=out, now=datetime.fromisoformat(now))
            assert (out / "pagefind/en/2025/pagefind-entry.json").is_file()
            found[name] = stack.enter_context(serve_folder(out.parent)) + "/portal/"
        yield found


def search(browser: Any, base: str, locale: str, query: str) -> list[str]:
    """The result links of ``query`` typed into ``/<locale>/search/``, where the page's
    policy (WebAssembly allowed, no inline style or script) blocked nothing."""
    page = browser.new_page()
    refused: list[str] = []  # what the page's Content Security Policy blocked
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    try:
        page.goto(f"{base}{locale}/search/")
        field = page.locator("#search input[type=text], #search input[type=search]").first
        field.fill(query)
        found = _results(page)
        assert not refused, refused
        return found
    finally:
        page.close()


def _results(page: Any) -> list[str]:
    """The result links shown once Pagefind has answered: its message says how many (or
    none); while it searches, the message ends with an ellipsis."""
    page.wait_for_function(
        "() => { const m = document.querySelector('.pagefind-ui__message');"
        " const t = m ? m.textContent.trim() : '';"
        " return t && !t.endsWith('...') && !t.endsWith('\u2026'); }",
        timeout=15000,
    )
    page.wait_for_timeout(300)  # the result list renders after the message
    links = page.locator(".pagefind-ui__result-link")
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def test_english_word_finds_only_the_english_page(browser: Any, served: dict[str, str]) -> None:
    found = search(browser, served["before"], "en", "albatross")
    # first the page that has the word; a year's part that has no word starting with
    # it adds its pages with the word's longest prefix ("a"), ranked after (Pagefind)
    assert found[0] == "/portal/en/press/kapal/"
    assert all(url.startswith("/portal/en/") for url in found), found
    assert search(browser, served["before"], "id", "albatross") == []


def test_indonesian_word_finds_only_the_indonesian_page(
    browser: Any, served: dict[str, str]
) -> None:
    assert search(browser, served["before"], "id", "kenari") == ["/portal/id/press/kapal/"]
    assert search(browser, served["before"], "en", "kenari") == []


def test_older_years_are_searched_too(browser: Any, served: dict[str, str]) -> None:
    assert search(browser, served["before"], "en", "cormorant") == ["/portal/en/press/lama/"]
    assert search(browser, served["before"], "id", "kakatua") == ["/portal/id/press/lama/"]
    assert search(browser, served["before"], "id", "cormorant") == []


def test_section_filter_narrows_results(browser: Any, served: dict[str, str]) -> None:
    page = browser.new_page()
    try:
        page.goto(f"{served['before']}en/search/?q=lighthouse")  # ?q= runs on load
        found = _results(page)
        assert sorted(found) == [
            "/portal/en/press/kapal/",
            "/portal/en/press/lama/",  # from the older year's part
            "/portal/en/statements/pelabuhan/",
        ]
        block = page.locator("details.pagefind-ui__filter-block", has_text="Section")
        block.locator("summary").click()
        block.get_by_label("Statements").check()
        page.wait_for_function(
            "() => document.querySelectorAll('.pagefind-ui__result').length === 1",
            timeout=15000,
        )
        assert _results(page) == ["/portal/en/statements/pelabuhan/"]
    finally:
        page.close()


def test_embargoed_word_is_found_only_after_its_instant(
    browser: Any, served: dict[str, str]
) -> None:
    assert search(browser, served["before"], "en", "zanzibarite") == []
    assert search(browser, served["after"], "en", "zanzibarite") == ["/portal/en/press/rahasia/"]


def test_header_field_sends_the_query_to_the_search_page(
    browser: Any, served: dict[str, str]
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(f"{served['before']}id/")
        page.keyboard.press("Tab")  # the skip link
        field = page.locator("#site-search-q")
        for _ in range(20):
            if field.evaluate("e => e === document.activeElement"):
                break
            page.keyboard.press("Tab")
        assert field.evaluate("e => e === document.activeElement"), "no keyboard path"
        page.keyboard.type("kenari")
        page.keyboard.press("Enter")
        page.wait_for_url("**/id/search/?q=kenari")
        assert _results(page) == ["/portal/id/press/kapal/"]
        # the interface speaks the page's language
        message = page.locator(".pagefind-ui__message").inner_text()
        assert "hasil" in message.lower(), message
    finally:
        page.close()


def test_first_query_over_a_thousand_releases_loads_under_100_kb(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("budget")
    # Bodies of a few hundred words from a vocabulary of thousands, each word as
    # frequent as the inverse of its rank (as in real text): the index's chunks are as
    # large as a real site's.
    rng = random.Random(21)
    syllables = ["ba", "ka", "ma", "ra", "si", "tu", "le", "no", "pe", "go", "da", "wi"]
    vocabulary = ["".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(6000)]
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
    words = ["pelabuhan", "ekonomi", "budaya", "pendidikan", "kesehatan", "energi", "laut"]
    files = {}
    for n in range(1000):
        day = f"{2023 + n % 3}-{1 + n % 12:02d}-{1 + n % 28:02d}"  # over three years
        text = " ".join(rng.choices(vocabulary, weights, k=300))
        body_id = f"Siaran {n} tentang {words[n % 7]} dan {words[(n * 3) % 7]}. {text}."
        body_en = f"Release {n} on trade, {words[n % 7]} and culture number {n}. {text}."
        files[f"content/press/{day}-r{n}/index.id.md"] = release(
            f"Rilis {n}", f"{day}T09:00:00+07:00", body_id
        )
        files[f"content/press/{day}-r{n}/index.en.md"] = release(
            f"Release {n}", f"{day}T09:00:00+07:00", body_en
        )
    root = make_site(tmp, files)
    result = run_cli("build", "--site", root, "--out", tmp / "srv" / "portal")
    assert result.returncode == 0, result.stderr
    with serve_folder(tmp / "srv") as origin:
        base = f"{origin}/portal/"
        page = browser.new_page()
        sizes: dict[str, int] = {}

        def record(response: Any) -> None:
            if "/pagefind/" in response.url:
                sizes[response.url.rsplit("/pagefind/", 1)[1]] = len(response.body())

        page.on("response", record)
        try:
            page.goto(f"{base}id/search/?q={quote('pelabuhan')}")
            assert len(_results(page)) > 0
        finally:
            page.close()
    index = {k: v for k, v in sizes.items() if ".pf_" in k}
    total = sum(index.values())
    print(f"first query: index {total} bytes in {len(index)} files; all {sum(sizes.values())}")
    assert index, sizes
    assert not [k for k in index if "en_" in k.rsplit("/", 1)[-1]]  # Indonesian only
    assert total < 100_000, index
