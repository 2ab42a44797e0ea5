"""Property tests: whatever bytes or markup arrive, nothing crashes, escapes the output folders or breaks MkDocs."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.clean import clean_article
from generator.config import Settings
from generator.errors import BriefingError, SeedError
from generator.ingest import decode_text
from generator.model import RawArticle
from generator.pipeline import build
from generator.text import markdown_to_plain, md_escape, normalize_space
from generator.write import build_site
from tests.conftest import make_project

SENTENCE = st.sampled_from(
    [
        "The council voted on Monday to close the old bridge for repairs.",
        "Engineers found cracks in two supports, officials said.",
        "“We will reopen it,” the mayor said on Tuesday.",
        "<script>alert(1)</script> appeared in the page.",
        "Click here to subscribe to our newsletter",
        "{{ 7*7 }} and {% include 'x' %} are not templates here.",
        "[link](javascript:alert(1)) and ![img](data:text/html,x)",
        "---",
        "# Heading",
        "ALL CAPS PROMO LINE FOR ANOTHER STORY",
        "© 2024 Some Publisher",
    ]
)
TEXT = st.lists(st.one_of(SENTENCE, st.text(max_size=80)), max_size=12).map("\n\n".join)


@given(st.binary(max_size=2000))
def test_decoding_random_bytes_never_crashes(data):
    try:
        text = decode_text(data, "random.txt")
    except SeedError as error:
        assert error.source == "random.txt" and error.reason
    else:
        assert "\x00" not in text


@given(TEXT, st.sampled_from(["text", "markdown", "html"]))
@settings(max_examples=150, deadline=None)
def test_cleaning_never_raises_and_keeps_its_body(text, kind):
    try:
        clean = clean_article(RawArticle("a", kind, text), frozenset(), Settings())
    except SeedError:
        return
    body_blocks = [b.text for b in clean.blocks if b.role in ("body", "subheading")]
    assert set(clean.paragraphs) <= set(body_blocks)
    for block in body_blocks:
        assert any(block.lower() == p.lower() for p in clean.paragraphs)


@given(TEXT)
@settings(max_examples=100, deadline=None)
def test_cleaning_is_idempotent(text):
    try:
        once = clean_article(RawArticle("a", "text", text), frozenset(), Settings())
    except SeedError:
        return
    again = clean_article(
        RawArticle("a", "text", "\n\n".join([once.headline or "", *map(markdown_to_plain, once.paragraphs)])),
        frozenset(),
        Settings(),
    )
    assert again.paragraphs == once.paragraphs


@given(st.text(max_size=200))
def test_escaped_text_reads_back_unchanged(text):
    assert markdown_to_plain(md_escape(text)) == markdown_to_plain(md_escape(markdown_to_plain(md_escape(text))))
    assert "<" not in md_escape(text)


@pytest.mark.slow
@given(st.lists(st.one_of(TEXT, st.binary(max_size=300)), min_size=1, max_size=4))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whole_pipeline_on_random_seeds_builds_a_strict_site(tmp_path_factory, seeds):
    root = tmp_path_factory.mktemp("random")
    paths = make_project(root / "project", seeds=None)
    for number, seed in enumerate(seeds):
        name = f"seed{number}.txt" if isinstance(seed, str) else f"seed{number}.md"
        target = paths.seeds / name
        target.write_text(seed, encoding="utf-8") if isinstance(seed, str) else target.write_bytes(seed)
    (paths.seeds / "anchor.txt").write_text("A headline\n\n" + "The council voted to close the bridge. " * 3)
    before = set(root.rglob("*"))
    try:
        build(paths, Settings(), render_html=False)
    except BriefingError as error:
        pytest.fail(f"build failed: {error}")
    created = set(root.rglob("*")) - before
    allowed = (paths.content, paths.project / ".cache")
    assert all(any(p == a or a in p.parents for a in allowed) for p in created)
    # MkDocs in strict mode: any warning (a broken link, a bad page) fails the render.
    build_site(paths.mkdocs_config, paths.content, paths.site)
    assert (paths.site / "index.html").is_file()


@given(st.text(alphabet=st.one_of(st.characters(), st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000"))))
def test_normalizing_space_folds_exactly_what_a_regex_calls_whitespace(text):
    assert normalize_space(text) == re.sub(r"\s+", " ", text).strip()
