import pytest

from generator.clean import clean_article
from generator.config import Settings
from generator.extract import article_text, build_aliases, extract_article
from generator.model import RawArticle
from generator.nlp import sentence_spans


def _articles(corpus):
    return {a.source[:3]: a for a in corpus.articles}


def test_headlines(seed_corpus):
    articles = _articles(seed_corpus)
    assert (
        articles["000"].title == "Kim Jong Un and Vladimir Putin meet, pledge expanded ‘military technical cooperation’"
    )
    assert articles["003"].title == "Kim Jong Un and Vladimir Putin meet in highly anticipated, ‘substantive’ talks"
    # 002 starts with a site header date: the title comes from its slug line, never the date or byline.
    assert articles["002"].title == "Russias Putin visits North Korea talks Kim Jong"


def test_dates_with_evidence(seed_corpus):
    articles = _articles(seed_corpus)
    assert articles["003"].date.date == "2023-09-13"
    assert "caption" in articles["003"].date.evidence
    assert articles["002"].capture_date == "2024-11-22"
    assert articles["002"].date.uncertain
    # 000 states no day; its version 003 does, and versions share their evidence.
    assert articles["000"].date.date is None
    assert seed_corpus.relations.date_of(articles["000"].id).date == "2023-09-13"


def test_publisher_contributors_dateline(seed_corpus):
    articles = _articles(seed_corpus)
    assert articles["000"].publisher == "Washington Examiner"
    assert articles["002"].contributors == ("Lyric Li", "Robyn Dixon")
    assert articles["002"].authors == ()
    assert articles["002"].dateline == "Seoul"
    assert articles["003"].developing


def test_canonical_entities(seed_corpus):
    articles = _articles(seed_corpus)
    names = {(e.name, e.kind) for e in articles["000"].entities}
    assert ("Vladimir Putin", "person") in names
    assert ("Kim Jong Un", "person") in names
    assert ("United States", "place") in names
    assert ("United Nations", "organization") in names
    assert not {n for n, _ in names} & {"Putin", "Kim", "U.S.", "U.N.", "DPRK", "Vladimir Smirnov", "AP"}
    people_002 = {e.name for e in articles["002"].entities if e.kind == "person"}
    assert {"Kim Jong Un", "Kim Jong Il", "Vladimir Putin", "Dmitry Peskov"} <= people_002


def test_quote_speakers(seed_corpus):
    articles = _articles(seed_corpus)
    by_text = {q.text: q.speaker for q in articles["000"].quotes}
    assert by_text["That’s why we came here"] == "Vladimir Putin"
    assert by_text["There are certain restrictions"] == "Vladimir Putin"
    lavrov = next(text for text in by_text if text.startswith("We will foster mutually advantageous"))
    assert by_text[lavrov] == "Sergey Lavrov"
    assert by_text["Our understanding is that this will focus on arms negotiations"] == "Patrick Ryder"
    peskov = {q.text: q.speaker for q in articles["002"].quotes}
    assert peskov["The potential for developing our bilateral relations is very deep"] == "Dmitry Peskov"


def test_quote_without_a_named_speaker_says_so(nlp):
    text = "Officials were cautious.\n\n“We will see what happens next week,” one official said."
    clean = clean_article(RawArticle("a.txt", "text", "Headline here\n\n" + text), frozenset(), Settings())
    article = extract_article(clean, nlp(article_text(clean)), build_aliases({}), "a")
    assert [(q.speaker, q.text) for q in article.quotes] == [(None, "We will see what happens next week")]


def test_user_aliases_merge_and_rename(nlp):
    aliases = build_aliases({"United States": ["U.S."]}, {"USA": ["U.S.", "United States"]})
    assert aliases.resolve("U.S.") == "USA"
    assert aliases.resolve("United States") == "USA"


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Brig. Gen. Patrick Ryder spoke on Tuesday. He left early.", 2),
        ("Prices rose 3.5 percent on Sept. 13, 2023, the agency said. Markets fell.", 2),
        ("“We came here. We will stay,” Putin said. Then he left.", 2),
        ("The U.S. and the U.N. disagreed on Monday. Talks went on.", 2),
        ("Dr. J. R. Smith arrived. He spoke.", 2),
        ('He said: "We came here. We will stay." Then he left.', 2),
        ('He said: "We came here to talk. "We will stay for a week." Then he left.', 3),
    ],
)
def test_sentence_splitting_around_abbreviations_and_quotes(nlp, text, count):
    assert len(sentence_spans(nlp(text))) == count


def _quotes_of(nlp, body: str):
    clean = clean_article(RawArticle("a.txt", "text", "Headline here\n\n" + body), frozenset(), Settings())
    article = extract_article(clean, nlp(article_text(clean)), build_aliases({}), "a")
    return [(q.speaker, q.text) for q in article.quotes]


def test_a_quote_paragraph_continues_the_speaker_before_it(nlp):
    body = (
        "“We will rebuild the bridge before the winter comes,” Mayor Ana Lopez said on Monday.\n\n"
        "“It will cost more than we hoped, but the city cannot wait any longer.”"
    )
    assert [s for s, _ in _quotes_of(nlp, body)] == ["Ana Lopez", "Ana Lopez"]


def test_who_is_told_is_not_the_speaker(nlp):
    body = "“The talks were useful and we will meet again,” Vladimir Putin told Kim Jong Un on Tuesday."
    assert _quotes_of(nlp, body)[0][0] == "Vladimir Putin"


def test_names_lose_titles_honours_and_possessives(nlp):
    body = "Lord Oates and Jonathan Rees QC met Bill Ayers' lawyer at the Betty Ford Center on Monday morning."
    clean = clean_article(RawArticle("a.txt", "text", "Headline here\n\n" + body), frozenset(), Settings())
    article = extract_article(clean, nlp(article_text(clean)), build_aliases({}), "a")
    names = {e.name: e.kind for e in article.entities}
    assert "Jonathan Rees" in names and "Jonathan Rees QC" not in names
    assert "Bill Ayers" in names
    assert names.get("Betty Ford Center") == "place"
