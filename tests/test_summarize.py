import dataclasses
import re

import pytest

from generator.config import Settings
from generator.model import Brief, Quote, Sentence
from generator.nlp import DATELINE, main_clause
from generator.summarize import stands_alone, summarize_article, summarize_story
from tests.conftest import make_article

NEEDS_CONTEXT = re.compile(r"^(He|She|They|It|This|But|And)\b")


def _all_briefs(corpus):
    return [(a, corpus.brief(a.id)) for a in corpus.articles]


def test_every_seed_has_a_summary_and_three_to_five_points(seed_corpus):
    for article, brief in _all_briefs(seed_corpus):
        assert brief.summary, article.source
        assert 3 <= len(brief.key_points) <= 5
        assert len(brief.summary.split()) <= 35


def test_every_line_is_a_sentence_of_its_article(seed_corpus):
    for article, brief in _all_briefs(seed_corpus):
        sentences = {s.text for s in article.sentences}
        # The summary is a sentence, or its main clause: the sentence, dateline aside, opens with it.
        bodies = [DATELINE.sub("", sentence) for sentence in sentences]
        assert any(body == brief.summary or body.startswith(brief.summary[:-1] + ",") for body in bodies)
        for point in brief.key_points:
            assert point.text in sentences
            assert point.text in article.paragraphs[point.paragraph].replace("\\", "")


def test_key_points_are_in_source_order(seed_corpus):
    for _, brief in _all_briefs(seed_corpus):
        paragraphs = [p.paragraph for p in brief.key_points]
        assert paragraphs == sorted(paragraphs)


def test_no_line_breaks_the_rules(seed_corpus):
    for article, brief in _all_briefs(seed_corpus):
        assert brief.summary[0] not in '“‘"', "the summary is the article's own voice, not a quotation"
        assert not NEEDS_CONTEXT.match(brief.summary)
        texts = [s.text for s in article.sentences]
        for before, point in zip([None, *brief.key_points], brief.key_points, strict=False):
            if NEEDS_CONTEXT.match(point.text):
                assert before and texts.index(before.text) == texts.index(point.text) - 1, "'But' follows its sentence"
        for line in [brief.summary, *(p.text for p in brief.key_points)]:
            assert not line.rstrip('”’"').endswith("?")
            assert line.count("“") == line.count("”")
        for point in brief.key_points:
            if point.text[0] in '“‘"':
                assert point.speaker or re.search(r"[”\"],? [^“]*\b(?:said|says|told|added)\b", point.text), (
                    "a quoted key point says who said it"
                )
            assert re.search(r"[.!][”’\"')]*$", line)


@pytest.mark.parametrize(
    ("sentence", "ok"),
    [
        ("The council voted to close the bridge on Monday.", True),
        ("He added that the bridge would reopen in the spring.", False),
        ("Will the bridge ever reopen for good this time?", False),
        ("“We will reopen it,” the mayor said, “as soon as.", False),
        ("“We will reopen it soon,” the mayor said on Monday.", False),
        ("“We will reopen it soon,” Mayor Ana Lopez said on Monday.", True),
        ("“We will reopen it soon and for good this time.”", False),
        ("But the council voted to close the bridge on Monday.", False),
        ("There are two bridges over the river and both are closed.", True),
        ("This week the council voted to close the bridge.", True),
        ("This decision closes the bridge for six months.", False),
        ("The council voted to close the bridge on", False),
        ("Short one.", False),
    ],
)
def test_stands_alone(sentence, ok):
    assert stands_alone(sentence) is ok


def test_summary_respects_the_word_limit():
    long = "The council " + "really " * 40 + "voted on Monday."
    article = make_article(
        "a",
        [
            long,
            "The bridge will close for six months from the start of next week.",
            "Engineers found cracks in two supports of the old bridge last year.",
        ],
    )
    brief = summarize_article(article, Settings(summary_max_words=20))
    assert len(brief.summary.split()) <= 20


@pytest.mark.parametrize("fourth", ["All of the farms were in the valley.", "Many farms in the valley had no power."])
def test_the_summary_shares_the_most_with_the_rest_not_the_most_per_word(fourth):
    """A cosine would pick a short sentence whose few words are each in other sentences (the fourth,
    in both cases); every shared word counted alike would pick the first, in the second case."""
    sentences = [
        "All of the farms were in the town.",
        "A flood on the river put the valley town and its road out of power.",
        "No schools were open in the rain in the valley.",
        fourth,
        "The bridge on the road into the town is shut.",
    ]
    brief = summarize_article(make_article("a", sentences), Settings())
    assert brief.summary == sentences[1]


LEDE = (
    "SEOUL — The city council will close the old river bridge for repairs on Monday or Tuesday, "
    "adding to concerns about traffic in the town centre at a time when two other roads are shut for work."
)


@pytest.mark.parametrize(
    ("sentence", "shortened"),
    [
        (LEDE, "The city council will close the old river bridge for repairs on Monday or Tuesday."),
        (
            "WASHINGTON (Reuters) - The Senate passed the budget bill late on Tuesday night.",
            "The Senate passed the budget bill late on Tuesday night.",
        ),
        (
            "The council, which met in the old town hall on a cold and wet evening in the middle of the long "
            "winter, voted by nine votes to four to close the bridge over the river for six months of repairs.",
            None,
        ),
        ("The bridge closed, " + "leaving the people of the town and the valley " * 5 + "without a way across.", None),
        ("BARCELONA—The new phone goes on sale in April.", "The new phone goes on sale in April."),
        ("US-China trade talks resumed on Monday in Geneva.", "US-China trade talks resumed on Monday in Geneva."),
        (
            "The judge said he should serve his time in the prison in Florence, Colo., which has the reputation "
            "as the toughest and most secure prison in the country.",
            "The judge said he should serve his time in the prison in Florence, Colo.",
        ),
        (
            "The jury in the long murder trial wept, staring at the judge as the foreman read out the verdict "
            "of murder in the first degree for the death of the young mother and her son.",
            None,
        ),
    ],
)
def test_main_clause_drops_the_dateline_and_a_trailing_clause_only(nlp, sentence, shortened):
    assert main_clause(nlp, sentence, 20) == shortened


def test_a_lead_too_long_for_the_summary_is_summarized_by_its_main_clause():
    sentences = [
        LEDE,
        "The council said traffic in the town centre would grow while the river bridge is shut.",
        "Two other roads in the town centre are shut for work on the river bridge repairs.",
        "Traders said the council had not told them when the old bridge would close.",
    ]
    article = make_article("a", sentences)
    shortened = "The city council will close the old river bridge for repairs on Monday or Tuesday."
    brief = summarize_article(article, Settings(summary_max_words=20), lambda text: shortened)
    assert brief.summary == shortened
    assert LEDE not in [p.text for p in brief.key_points]
    unshortened = summarize_article(article, Settings(summary_max_words=20), lambda text: None)
    assert unshortened.summary in sentences[1:]


def test_a_summary_that_fits_loses_only_its_dateline(nlp):
    sentences = [
        "SEOUL — The city council will close the old river bridge for repairs on Monday.",
        "The council said the old river bridge will close on Monday.",
        "Repairs to the old river bridge will start on Monday, the city council said.",
    ]
    article = make_article("a", sentences)
    assert summarize_article(article, Settings()).summary == sentences[0]
    brief = summarize_article(article, Settings(), lambda text: main_clause(nlp, text, 35))
    assert brief.summary == "The city council will close the old river bridge for repairs on Monday."


def test_the_article_a_shortened_summary_comes_from_states_it():
    article = make_article("a", [LEDE, "Traders near the river bridge said the closure had cost them customers."])
    summary = "The city council will close the old river bridge for repairs on Monday or Tuesday."
    facts = summarize_story([article], {"a": Brief(summary, ())})
    assert [(f.text, f.articles) for f in facts] == [(summary, ("a",))]


def test_no_usable_sentence_gives_an_empty_brief():
    brief = summarize_article(make_article("a", ["He said so.", "Why not?"]), Settings())
    assert brief.summary == "" and brief.key_points == ()


def test_story_briefing_states_each_fact_once_with_all_its_sources():
    shared = "The council voted on Monday to close the old river bridge for repairs."
    first = make_article("a", [shared, "Engineers found deep cracks in two of the bridge supports last month."])
    second = make_article(
        "b",
        [
            "The council voted on Monday to close the old river bridge for urgent repairs.",
            "Drivers will be sent on a detour through the northern industrial estate.",
        ],
    )
    briefs = {"a": Brief(first.sentences[0].text, ()), "b": Brief(second.sentences[0].text, ())}
    facts = summarize_story([first, second], briefs)
    assert [f.text for f in facts] == [shared]
    assert facts[0].articles == ("a", "b")


def _one_paragraph_per_group(texts: list[str], paragraphs: list[int]):
    article = make_article("a", texts)
    return dataclasses.replace(
        article,
        paragraphs=("x",) * (max(paragraphs) + 1),
        sentences=tuple(Sentence(text, paragraph) for text, paragraph in zip(texts, paragraphs, strict=True)),
    )


BRIDGE = [
    "The city council approved a budget for the river bridge repairs on Monday evening.",
    "Engineers said the river bridge repairs would take most of next year to finish.",
    "But the council budget leaves no money for the river bridge footpath or the banks.",
    "The river bridge has been closed to lorries since cracks were found in March.",
    "Traders near the bridge said the closure had cost them customers all summer.",
    "The council will publish the full repair plan for the bridge next month.",
]


def test_a_sentence_opening_with_but_is_a_key_point_right_after_the_one_it_follows():
    brief = summarize_article(_one_paragraph_per_group(BRIDGE, [0, 0, 0, 1, 2, 3]), Settings())
    points = [p.text for p in brief.key_points]
    assert BRIDGE[2] in points
    assert points[points.index(BRIDGE[2]) - 1] == BRIDGE[1]


def test_a_sentence_opening_with_but_is_never_a_key_point_after_a_sentence_not_shown_before_it():
    texts = [BRIDGE[0], "But the council budget leaves no money for the city bridge repairs on the river.", *BRIDGE[3:]]
    brief = summarize_article(_one_paragraph_per_group(texts, [0, 0, 1, 2, 3]), Settings())
    assert brief.summary == texts[0]
    assert texts[1] not in [p.text for p in brief.key_points]


def test_a_quotation_without_its_speaker_is_a_key_point_only_when_the_speaker_is_known():
    quote = "“We will reopen the river bridge before the summer holidays begin.”"
    texts = [BRIDGE[0], BRIDGE[1], quote, *BRIDGE[3:]]
    article = _one_paragraph_per_group(texts, [0, 1, 2, 3, 4, 5])
    unknown = summarize_article(article, Settings(key_points=5))
    assert quote not in [p.text for p in unknown.key_points]
    named = dataclasses.replace(article, quotes=(Quote("Ana Lopez", quote.strip("“”"), 2),))
    points = summarize_article(named, Settings(key_points=5)).key_points
    assert [(p.text, p.speaker) for p in points if p.text == quote] == [(quote, "Ana Lopez")]
    assert all(p.speaker is None for p in points if p.text != quote)
