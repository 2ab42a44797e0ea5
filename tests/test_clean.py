from pathlib import Path

import pytest

from generator.clean import chrome_lines, clean_article
from generator.config import Settings
from generator.errors import SeedError
from generator.ingest import read_seeds
from generator.model import RawArticle
from generator.text import markdown_to_plain

SEEDS = Path(__file__).parent.parent / "seeds"
BOILERPLATE = (
    "Video Embed",
    "Related Content",
    "CLICK HERE",
    "INSIDE KIM JONG UN",
    "GET CAUGHT UP",
    "Stories to keep you informed",
    "Leave a Reply",
    "Your email address",
    "By info",
    "#Russias",
    "APTOPIX",
    "© 2023",
    "Fri. Nov 22nd",
    "contributed to this report",
    "This is a developing story",
)


@pytest.fixture(scope="module")
def cleaned():
    raws, _ = read_seeds(SEEDS, Settings())
    chrome = chrome_lines(raws)
    return {raw.source[:3]: (raw, clean_article(raw, chrome, Settings())) for raw in raws}


def _source_paragraphs(raw: RawArticle) -> list[str]:
    return [p.strip() for p in raw.text.split("\n\n") if p.strip()]


@pytest.mark.parametrize("seed", ["000", "002", "003"])
def test_no_boilerplate_in_the_body(cleaned, seed):
    _, clean = cleaned[seed]
    body = "\n".join(markdown_to_plain(p) for p in clean.paragraphs)
    for phrase in BOILERPLATE:
        assert phrase not in body


@pytest.mark.parametrize("seed", ["000", "002", "003"])
def test_every_article_sentence_is_kept_word_for_word(cleaned, seed):
    """Each source paragraph that reads as article prose is in the body, in order, unchanged."""
    raw, clean = cleaned[seed]
    body = [markdown_to_plain(p) for p in clean.paragraphs]
    prose = [
        p
        for p in _source_paragraphs(raw)
        if len(p.split()) >= 12
        and p.endswith((".", "”", '"'))
        and "\n" not in p
        and "contributed to this report" not in p
    ]
    assert prose, "the seed has article paragraphs"
    positions = [body.index(p) for p in prose]
    assert positions == sorted(positions)


def test_headline_repeated_in_the_text_is_kept_once(cleaned):
    _, clean = cleaned["003"]
    assert clean.headline == "Kim Jong Un and Vladimir Putin meet in highly anticipated, ‘substantive’ talks"
    assert all(clean.headline not in markdown_to_plain(p) for p in clean.paragraphs)


def test_captions_lose_their_credits(cleaned):
    _, clean = cleaned["000"]
    assert clean.captions == (
        "Russian President Vladimir Putin, left, and North Korea’s leader Kim Jong Un shake hands.",
    )


def test_roles_of_metadata_lines(cleaned):
    roles = {b.role for b in cleaned["002"][1].blocks}
    assert {"dateline_date", "contributors", "hashtags", "byline", "boilerplate"} <= roles
    assert "editor_note" in {b.role for b in cleaned["003"][1].blocks}


def test_inline_html_becomes_markdown_and_entities_are_decoded():
    raw = RawArticle("a.txt", "text", "The <i>Times</i> reported that profits &amp; sales rose sharply this quarter.")
    clean = clean_article(raw, frozenset(), Settings())
    assert clean.paragraphs == ("The *Times* reported that profits &amp; sales rose sharply this quarter.",)
    assert (
        markdown_to_plain(clean.paragraphs[0]) == "The Times reported that profits & sales rose sharply this quarter."
    )


def test_repeated_paragraph_is_kept_once():
    sentence = "The council voted to close the bridge on Monday."
    text = f"A headline\n\n{sentence}\n\n{sentence}"
    clean = clean_article(RawArticle("a.txt", "text", text), frozenset(), Settings())
    assert clean.paragraphs == ("The council voted to close the bridge on Monday.",)


def test_user_phrases_extend_the_furniture_list():
    text = "Headline here\n\nThe council voted to close the bridge on Monday.\n\nPromo code BRIEF10 for members"
    settings = Settings(boilerplate_phrases=("promo code",))
    clean = clean_article(RawArticle("a.txt", "text", text), frozenset(), settings)
    assert [b.role for b in clean.blocks if "Promo" in b.text] == ["boilerplate"]


def test_all_furniture_is_an_error_naming_the_file():
    with pytest.raises(SeedError, match="no article text found"):
        clean_article(
            RawArticle("menu.txt", "text", "Home\n\nSubscribe now\n\nRelated Content\n\n©"),
            frozenset(),
            Settings(),
        )


def test_html_goes_through_trafilatura():
    page = (
        "<html><head><title>Bridge closed</title></head><body><nav>Home | World | Sport</nav><article>"
        "<h1>Bridge closed</h1><p>The council voted to close the old bridge on Monday after engineers found cracks "
        "in two of its supports.</p><p>Repairs are expected to take at least six months, officials said in a "
        "statement.</p></article><footer>Subscribe to our newsletter</footer></body></html>"
    )
    clean = clean_article(RawArticle("a.html", "html", page), frozenset(), Settings())
    assert clean.headline == "Bridge closed"
    assert len(clean.paragraphs) == 2
    assert "newsletter" not in " ".join(clean.paragraphs)


def test_markdown_headings_and_paragraphs():
    text = "# The headline\n\nThe council voted to close the old bridge on Monday after inspections.\n"
    clean = clean_article(RawArticle("a.md", "markdown", text), frozenset(), Settings())
    assert clean.headline == "The headline"
    assert clean.paragraphs == ("The council voted to close the old bridge on Monday after inspections.",)
