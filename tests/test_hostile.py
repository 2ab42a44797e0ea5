"""Hostile input: every case builds or is skipped with a reason, and nothing from a source runs or leaks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.config import Settings
from generator.pipeline import build
from tests.conftest import make_project
from tests.hostile_corpus import browser_check, write_corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    paths = make_project(root / "project", seeds=None)
    corpus = write_corpus(paths.seeds)
    before = {p for p in root.rglob("*") if paths.seeds not in p.parents}
    report = build(paths, Settings())
    created = {p for p in root.rglob("*") if paths.seeds not in p.parents} - before
    return paths, corpus, report, created


def _sources(content: Path) -> dict[str, str]:
    """Source file -> page, from the line every article page ends with."""
    found = {}
    for page in (content / "articles").glob("*.md"):
        match = re.search(r"^Source file: `(.*)`", page.read_text(encoding="utf-8"), re.MULTILINE)
        found[match.group(1)] = page.name
    return found


def test_every_case_builds_or_is_skipped_with_a_reason(hostile):
    paths, corpus, report, _ = hostile
    built = {source.split("#")[0] for source in _sources(paths.content)}
    skipped = {p.source.split("#")[0]: p.reason for p in report.problems}
    for case in corpus:
        if case.expect == "build":
            assert case.name in built, (
                f"{case.name} ({case.what}) should have a page; problems: {skipped.get(case.name)}"
            )
        else:
            assert skipped.get(case.name), f"{case.name} ({case.what}) should be skipped with a reason"


def test_nothing_is_written_outside_the_output_folders(hostile):
    paths, _, _, created = hostile
    allowed = (paths.content, paths.site, paths.cache_dir)
    strays = [p for p in created if not any(p == a or a in p.parents for a in allowed)]
    assert strays == []


def test_page_names_are_safe_and_distinct(hostile):
    paths, _, _, _ = hostile
    names = [p.name for p in (paths.content / "articles").glob("*.md")]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z0-9-]+\.md", name), name
        assert name.split(".")[0] not in {"con", "nul", "aux", "prn"}


def test_source_text_stays_text_in_the_markdown(hostile):
    paths, _, _, _ = hostile
    for page in paths.content.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<\s*(script|iframe|img|a|div|b)\b", text, re.IGNORECASE), page
        assert not re.search(r"(?<!\\)\]\(\s*(javascript|vbscript|data):", text, re.IGNORECASE), page
        assert "{{ 7*7 }}" not in text or "49" not in text
        assert "\x00" not in text and "\u202e" not in text, page
        front = text.split("\n---\n", 1)[0]
        assert front.count("\ntitle:") == 1, page


def test_rendered_pages_carry_no_source_script_or_link(hostile):
    paths, _, _, _ = hostile
    for page in paths.site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        body = html.split('<article class="md-content__inner', 1)[-1].split("</article>", 1)[0]
        active = r"<script|<iframe|\son\w+\s*=|(href|src)\s*=\s*[\"']?\s*(javascript|vbscript|data|http://evil)"
        assert not re.search(active, body, re.IGNORECASE), page


@pytest.mark.browser
def test_the_browser_runs_nothing_from_a_source(hostile):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    paths, _, _, _ = hostile
    counts = browser_check(paths.site)
    assert counts["pages"] >= 25
    assert counts["scripts_run"] == 0
    assert counts["outside_requests"] == 0
