"""The rendered site: MkDocs --strict passes, and a real Chromium finds it whole, searchable, local and accessible."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from generator.config import Settings
from generator.pipeline import build
from tests.conftest import ROOT, make_project

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Material's search dialog has no accessible name; it is the theme's markup, not the briefing's.
THEME_VIOLATIONS = {"aria-dialog-name"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    paths = make_project(tmp_path_factory.mktemp("site"))
    build(paths, Settings())
    return paths


def test_mkdocs_strict_build_of_the_committed_content(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path)],
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr


def test_build_renders_every_page(built_site):
    html = sorted(p.relative_to(built_site.site).as_posix() for p in built_site.site.rglob("index.html"))
    pages = sorted(p.relative_to(built_site.content).as_posix() for p in built_site.content.rglob("*.md"))
    assert len(html) == len(pages)
    assert (built_site.site / "404.html").is_file()
    assert json.loads((built_site.site / "search" / "search_index.json").read_text())["docs"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(built_site):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(built_site.site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url, timeout=1).close()
            break
        time.sleep(0.1)
    yield url
    server.terminate()
    server.wait()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (make test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.errors, tab.requests = [], []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("request", lambda request: tab.requests.append(request.url))
    yield tab
    context.close()


def _local(url: str) -> bool:
    return urlparse(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:", "about:"))


def test_crawl_every_page_links_resolve_nothing_leaves_the_machine(page, base_url, built_site):
    seen, queue, broken = set(), [base_url], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            broken.append(url)
            continue
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urljoin(url, href).split("#")[0]
            if urlparse(target).hostname == "127.0.0.1" and target not in seen:
                queue.append(target)
    expected = len(list(built_site.site.rglob("index.html")))
    assert broken == []
    assert len(seen) >= expected
    assert page.errors == []
    assert [u for u in page.requests if not _local(u)] == []


def test_search_finds_an_entity_and_screenshots(page, base_url, built_site):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url, wait_until="networkidle")
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("Vostochny")
    page.locator(".md-search-result__item").first.wait_for()
    assert "Vostochny" in page.inner_text(".md-search-result")
    page.keyboard.press("Escape")
    samples = {
        "article": next(built_site.site.glob("articles/*/index.html")),
        "story": next(built_site.site.glob("stories/*/index.html")),
        "topic": built_site.site / "topics" / "people" / "vladimir-putin" / "index.html",
    }
    for name, file in samples.items():
        page.goto(base_url + file.parent.relative_to(built_site.site).as_posix() + "/", wait_until="networkidle")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    for name in ("home", *samples):
        assert (ARTIFACTS / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.errors == []


def test_no_serious_accessibility_violations(page, base_url, built_site):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test runs npm install)")
    targets = ["", "timeline/", "topics/", "topics/people/vladimir-putin/"]
    targets += [
        p.parent.relative_to(built_site.site).as_posix() + "/" for p in built_site.site.glob("articles/*/index.html")
    ][:1]
    targets += [
        p.parent.relative_to(built_site.site).as_posix() + "/" for p in built_site.site.glob("stories/*/index.html")
    ][:1]
    found = []
    for target in targets:
        page.goto(base_url + target, wait_until="networkidle")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate("async () => (await axe.run()).violations")
        found += [
            (target, v["id"], v["impact"])
            for v in violations
            if v["impact"] in ("serious", "critical") and v["id"] not in THEME_VIOLATIONS
        ]
    assert found == []


def test_no_source_script_runs(page, base_url, built_site):
    """Every script on the pages is the theme's own: none comes from an article."""
    for file in sorted(built_site.site.rglob("index.html")):
        text = file.read_text(encoding="utf-8")
        body = text.split('<article class="md-content__inner', 1)[-1].split("</article>", 1)[0]
        assert not re.search(r"<script|javascript:|\son\w+=", body, re.IGNORECASE), file


def test_pages_carry_opengraph_and_the_feed(built_site):
    html = next(built_site.site.glob("articles/*/index.html")).read_text(encoding="utf-8")
    assert '<meta property="og:type" content="article">' in html
    assert re.search(r'<meta property="og:title" content="[^"]+">', html)
    assert re.search(r'<meta property="og:description" content="[^"]+">', html)
    assert 'type="application/atom+xml"' in html
    assert (built_site.site / "feed.xml").is_file()
    assert (built_site.site / "assets" / "timeline.svg").is_file()
