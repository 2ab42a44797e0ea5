import dataclasses
import difflib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import render
from generator.render import ViewFingerprints, render_site
from generator.text import inline_html_to_markdown, md_escape
from tests.conftest import make_article


@pytest.fixture(scope="module")
def pages(seed_corpus):
    return {str(page.path): page.text for page in render_site(seed_corpus).pages}


def test_page_set(pages, seed_corpus):
    for article in seed_corpus.articles:
        assert f"articles/{article.id}.md" in pages
    for story in seed_corpus.relations.stories:
        # A story of one article is that article's page.
        assert (f"stories/{story.id}.md" in pages) == (len(story.articles) > 1)
    assert {"index.md", "topics/index.md", "timeline.md", "sources.md", "tags.md"} <= set(pages)
    assert len(pages) <= 2 * len(seed_corpus.articles) + 25


def test_front_matter_fields(pages, seed_corpus):
    article = next(a for a in seed_corpus.articles if a.source.startswith("003"))
    text = pages[f"articles/{article.id}.md"]
    front = text.split("---")[1]
    for field in ("title:", 'date: "2023-09-13"', 'publisher: "Washington Examiner"', "summary:", "tags:"):
        assert field in front


def test_key_points_link_to_paragraph_anchors(pages, seed_corpus):
    article = next(a for a in seed_corpus.articles if a.source.startswith("000"))
    text = pages[f"articles/{article.id}.md"]
    for point in seed_corpus.brief(article.id).key_points:
        assert f"(#p{point.paragraph + 1} " in text
        assert f"{{ #p{point.paragraph + 1} }}" in text


def test_story_page_shows_what_changed(pages, seed_corpus):
    story = next(s for s in seed_corpus.relations.stories if len(s.articles) == 2)
    text = pages[f"stories/{story.id}.md"]
    assert "## Versions" in text and "What changed" in text
    assert "**added:**" in text and "**removed:**" in text


def test_first_mentions_link_to_topic_pages(pages, seed_corpus):
    article = next(a for a in seed_corpus.articles if a.source.startswith("002"))
    body = pages[f"articles/{article.id}.md"].split("## Article")[1]
    assert body.count("](../topics/people/vladimir-putin.md)") == 1


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("{: onclick=alert(1) }", "\\{: onclick=alert(1) \\}"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("a *b* _c_", "a \\*b\\* \\_c\\_"),
    ],
)
def test_source_text_is_shown_literally(text, shown):
    assert md_escape(text) == shown


def test_inline_html_keeps_emphasis_and_drops_other_tags():
    assert (
        inline_html_to_markdown('Go <a href="javascript:x()">here</a> <b>now</b> <img src=x onerror=alert(1)>')
        == "Go here **now**"
    )


def test_feed_lists_dated_articles_newest_first(pages):
    import xml.etree.ElementTree as ElementTree

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(pages["feed.xml"])
    dates = [entry.find(f"{atom}updated").text for entry in feed.iter(f"{atom}entry")]
    assert dates == sorted(dates, reverse=True) and len(dates) == 3
    assert feed.find(f"{atom}updated").text == dates[0]


def test_charts_are_well_formed_svg_with_escaped_labels(pages, seed_corpus):
    import xml.etree.ElementTree as ElementTree

    from generator.charts import comention_svg
    from generator.model import Entity

    for name in ("assets/timeline.svg", "assets/names.svg"):
        assert ElementTree.fromstring(pages[name]).tag == "{http://www.w3.org/2000/svg}svg"
    assert "assets/names.svg" in pages["index.md"] and "assets/timeline.svg" in pages["timeline.md"]
    names = (Entity("<script>x</script>", "person"), Entity("A & B", "place"))
    hostile = [dataclasses.replace(article, entities=names) for article in seed_corpus.articles]
    svg = comention_svg(hostile)
    ElementTree.fromstring(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def _front_matter(text: str) -> dict:
    import yaml

    return yaml.safe_load(text.split("---\n")[1])


def test_tags_are_names_with_a_topic_page(pages, seed_corpus):
    fronts = [_front_matter(pages[f"articles/{article.id}.md"]) for article in seed_corpus.articles]
    tags = {tag for front in fronts for tag in front["tags"]}
    assert tags
    assert all(seed_corpus.index.page_of(tag) for tag in tags)
    named_once = [t.name for t in seed_corpus.index.topics if t.kind in ("person", "place") and not t.has_page]
    assert named_once and not tags & set(named_once)


def test_list_pages_and_topic_lists_stay_out_of_the_search_index(pages):
    for name in ("topics/index.md", "sources.md", "timeline.md", "tags.md"):
        assert _front_matter(pages[name])["search"] == {"exclude": True}, name
    for name in ("index.md", "topics/places/russia.md"):
        assert "search" not in _front_matter(pages[name]), name
    topic = pages["topics/places/russia.md"]
    assert "## Articles { data-search-exclude }" in topic and "## Mentions { data-search-exclude }" in topic
    article = next(text for name, text in pages.items() if name.startswith("articles/"))
    # What repeats the article text or lists other pages is left out; names and quotes are searched.
    assert "## Key points { data-search-exclude }" in article
    assert "## Related reading { data-search-exclude }" in article
    assert "\n## Who, where, when\n" in article and "\n## Who said what\n" in article and "\n## Article\n" in article


def test_topic_page_lists_are_capped(seed_corpus):
    from generator.model import Quote, TopicIndex
    from generator.render import TOPIC_LIST

    topic = next(t for t in seed_corpus.index.topics if t.name == "Vladimir Putin")
    quote = Quote("Vladimir Putin", "Words.", 0)
    many = dataclasses.replace(topic, quotes=(quote,) * (TOPIC_LIST + 3))
    index = TopicIndex(tuple(many if t is topic else t for t in seed_corpus.index.topics))
    text = {str(p.path): p.text for p in render_site(dataclasses.replace(seed_corpus, index=index)).pages}[
        f"topics/{topic.slug}.md"
    ]
    assert text.count("> “Words.”") == TOPIC_LIST
    assert "…and 3 more quotes" in text


def test_topics_index_links_every_topic_page_and_counts_the_other_names(pages, seed_corpus):
    text = pages["topics/index.md"]
    with_page = [t for t in seed_corpus.index.topics if t.has_page]
    for topic in with_page:
        assert f"](../topics/{topic.slug}.md)" in text
    assert text.count("](") == len(with_page)
    counted = sum(int(n) for n in re.findall(r"\*(\d+) more without a page", text))
    assert counted == len(seed_corpus.index.topics) - len(with_page) > 0


def test_article_page_names_a_few_versions_and_counts_the_rest(seed_corpus):
    from generator.render import VERSIONS_LISTED

    original = next(a for a in seed_corpus.articles if a.id.startswith("003"))
    copies = [dataclasses.replace(original, id=f"003-copy-{n:02d}") for n in range(VERSIONS_LISTED + 2)]
    story = seed_corpus.relations.story_of(original.id)
    group = next(g for g in story.versions if original.id in g)
    bigger = dataclasses.replace(
        story,
        articles=story.articles + tuple(c.id for c in copies),
        versions=tuple(g + tuple(c.id for c in copies) if g is group else g for g in story.versions),
    )
    relations = dataclasses.replace(
        seed_corpus.relations,
        stories=tuple(bigger if s is story else s for s in seed_corpus.relations.stories),
    )
    corpus = dataclasses.replace(
        seed_corpus,
        articles=seed_corpus.articles + tuple(copies),
        briefs=seed_corpus.briefs + tuple((c.id, seed_corpus.brief(original.id)) for c in copies),
        relations=relations,
    )
    text = {str(p.path): p.text for p in render_site(corpus).pages}[f"articles/{original.id}.md"]
    assert text.count("**Another version:**") == VERSIONS_LISTED
    assert f"**{len(group) + len(copies) - 1 - VERSIONS_LISTED} more versions** on the story page" in text


def test_pages_rendered_on_workers_are_the_pages_rendered_here(seed_corpus):
    here = render_site(seed_corpus)
    assert render_site(seed_corpus, workers=2) == here
    assert sum(1 for page in here.pages if str(page.path).startswith(("articles/", "stories/", "topics/"))) > 4


def _every_alike_pair(old: list[str], new: list[str]):
    """Every pair compared in full: what the shortcuts of render._alike_pairs must not change."""
    for j, after in enumerate(new):
        for i, before in enumerate(old):
            ratio = difflib.SequenceMatcher(a=before.split(), b=after.split(), autojunk=False).ratio()
            if ratio >= render.EDITED_AT_LEAST:
                yield ratio, i, j


PARAGRAPH_POOL = [
    "The council met on Monday.",
    "The council met on Tuesday.",
    "The council met on Monday to vote.",
    "Rain fell across the north.",
    "Rain fell across the north and the west.",
    "A spokesman declined to comment.",
]


@given(
    st.lists(st.sampled_from(PARAGRAPH_POOL), min_size=1, max_size=6),
    st.lists(st.sampled_from(PARAGRAPH_POOL), min_size=1, max_size=6),
)
@settings(max_examples=300, deadline=None)
def test_changes_between_versions_are_those_of_comparing_every_paragraph_pair(old, new):
    older, newer = make_article("older", old), make_article("newer", new)
    found = render.paragraph_changes(older, newer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "_alike_pairs", _every_alike_pair)
        assert found == render.paragraph_changes(older, newer)


FEW_WORDS = st.lists(
    st.sampled_from(["the", "council", "met", "on", "monday", "rain", "fell", "north", "and", "west"]), max_size=30
)


@given(FEW_WORDS, FEW_WORDS)
@settings(max_examples=500, deadline=None)
def test_the_word_set_bound_never_rules_out_paragraphs_alike_enough(before, after):
    ratio = difflib.SequenceMatcher(a=before, b=after, autojunk=False).ratio()
    if ratio >= render.EDITED_AT_LEAST:
        assert render._may_be_alike(before, set(before), after, set(after))


def test_the_word_set_bound_rules_out_paragraphs_with_few_words_in_common():
    before, after = ["the", "council", "met", "on", "monday"], ["rain", "fell", "across", "the", "north"]
    assert not render._may_be_alike(before, set(before), after, set(after))


def test_changes_between_versions_name_the_edit_the_addition_and_the_removal():
    """Moved paragraphs are not changes; an edited one is paired with its old self wherever it stood."""
    older = make_article("older", [*PARAGRAPH_POOL[:2], PARAGRAPH_POOL[3], PARAGRAPH_POOL[5]])
    newer = make_article("newer", [PARAGRAPH_POOL[4], PARAGRAPH_POOL[1], PARAGRAPH_POOL[0], PARAGRAPH_POOL[2]])
    assert render.paragraph_changes(older, newer) == [
        ("edited", "Rain fell across the <del>north.</del> <ins>north and the west.</ins>"),
        ("added", "The council met on Monday to vote."),
        ("removed", "A spokesman declined to comment."),
    ]


def test_a_page_is_kept_only_while_its_view_and_the_templates_are_the_same(seed_corpus):
    first = render_site(seed_corpus, salt="templates 1")
    assert first.kept == () and len(first.fingerprints) > 4
    again = render_site(seed_corpus, rendered_before=first.fingerprints, salt="templates 1")
    assert set(again.kept) == set(first.fingerprints)
    assert render_site(seed_corpus, rendered_before=first.fingerprints, salt="templates 2").kept == ()
    article = seed_corpus.articles[0]
    brief = dataclasses.replace(seed_corpus.brief(article.id), summary="A summary line said differently.")
    corpus = dataclasses.replace(
        seed_corpus, briefs=tuple((i, brief if i == article.id else b) for i, b in seed_corpus.briefs)
    )
    changed = render_site(corpus, rendered_before=first.fingerprints, salt="templates 1")
    assert f"articles/{article.id}.md" not in changed.kept
    full = {str(p.path): p.text for p in render_site(corpus).pages}
    before = {str(p.path): p.text for p in first.pages}
    assert [path for path in changed.kept if full[path] != before[path]] == []
    assert all(full[str(p.path)] == p.text for p in changed.pages)


def test_a_view_that_is_not_plain_data_has_no_fingerprint():
    with pytest.raises(TypeError):
        ViewFingerprints("")("articles/a.md", "article.md.j2", {"topic_of": len})
