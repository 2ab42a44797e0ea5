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


# Behaviour of the line roles on pages built for one feature each.

PARAGRAPHS = (
    "The council voted on Monday to close the old bridge after engineers found cracks in two of its supports.",
    "Repairs are expected to take at least six months, officials said in a statement on Tuesday morning.",
    "Residents who cross the river every day will have to use the ferry or the ring road until then.",
    "The mayor said the city would pay for extra ferries and asked employers to allow working from home.",
)
MENU = "\n\n".join(("Home", "News", "Sport", "Weather", "Culture", "Travel"))


def _clean(text: str, kind: str = "text"):
    return clean_article(RawArticle(f"a.{'html' if kind == 'html' else 'txt'}", kind, text), frozenset(), Settings())


def _body(clean) -> list[str]:
    return [markdown_to_plain(p) for p in clean.paragraphs]


def _html(title: str, article: str) -> str:
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{article}</article></body></html>"


def test_agency_dateline_is_body_not_a_caption():
    dateline = "WASHINGTON (AP) — The Senate voted on Tuesday to extend the spending bill for another two weeks."
    clean = _clean("\n\n".join(("Senate extends spending bill", dateline, *PARAGRAPHS)))
    assert _body(clean)[0] == dateline
    assert clean.captions == ()


def test_photo_credit_needs_more_than_an_agency_name():
    caption = "The old bridge over the river on Monday. (AP Photo/Jane Doe)"
    clean = _clean("\n\n".join(("Bridge closed", caption, *PARAGRAPHS)))
    assert clean.captions == ("The old bridge over the river on Monday.",)
    assert caption not in _body(clean)


def test_bulleted_list_inside_an_article_is_kept():
    items = ("- Route 4", "- Route 9", "- The night bus", "- School buses", "- Ferry links", "- Cyclists")
    text = "\n\n".join(("Bridge closed", *PARAGRAPHS[:2], "The closure affects:", *items, *PARAGRAPHS[2:]))
    assert _body(_clean(text)) == [*PARAGRAPHS[:2], "The closure affects:", *items, *PARAGRAPHS[2:]]


def test_list_items_survive_html_extraction():
    items = ("Route 4 to the station", "Route 9 to the hospital", "The night bus")
    article = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2]) + "<ul>" + "".join(f"<li>{i}</li>" for i in items)
    clean = _clean(_html("Bridge closed", article + "</ul>" + f"<p>{PARAGRAPHS[2]}</p>"), "html")
    body = " ".join(_body(clean))
    assert all(item in body for item in items)
    assert clean.headline == "Bridge closed" and "Bridge closed" not in body


def test_html_page_that_is_only_a_list_keeps_its_items():
    items = [f"June {day} – Arena number {day}, Springfield" for day in range(1, 12)]
    clean = _clean(_html("Tour dates", "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"), "html")
    assert [p.lstrip("- ") for p in _body(clean)] == items


def test_comment_section_after_the_article_is_dropped():
    comments = (
        "34 responses",
        "riverfan says:",
        "November 19, 2019 at 6:34 am",
        "This bridge has been falling apart for years and nobody listened to us at all.",
        "citywatcher says:",
        "November 19, 2019 at 7:02 am",
        "Another waste of our taxes. The ferry will be late every single morning, you will see.",
    )
    clean = _clean("\n\n".join(("Bridge closed", *PARAGRAPHS, *comments)))
    assert _body(clean) == list(PARAGRAPHS)


def test_teasers_far_from_the_article_are_dropped():
    teasers = (
        "Mayor opens new library in the old town hall after a year of building work.",
        "Storm brings down trees across the county and closes two schools on Friday.",
    )
    share = ("Share this article", "Facebook", "Twitter", "Email", "Most read")
    page = ("Bridge closed", *PARAGRAPHS, *share, *teasers, MENU)
    assert _body(_clean("\n\n".join(page))) == list(PARAGRAPHS)


def test_article_under_the_repeated_title_beats_a_longer_block_of_teasers():
    title = "Council closes the old bridge"
    teasers = [f"Story {n} about something else that happened in town this week, the police said." for n in range(8)]
    page = (f"{title} | City News", MENU, *teasers, MENU, title, "By Jane Doe", *PARAGRAPHS[:3], MENU)
    clean = _clean("\n\n".join(page))
    assert _body(clean) == list(PARAGRAPHS[:3])
    assert clean.headline == f"{title} | City News"


def test_article_goes_on_after_a_box_of_links_on_its_subject():
    before = [f"{p} Engineers will inspect the bridge supports again next week." for p in PARAGRAPHS]
    after = [f"{p} The ferry company has hired extra crews while the bridge is closed." for p in PARAGRAPHS]
    box = ("Related Coverage", "Ferry Timetables For The Winter", "How The Old Bridge Was Built", "Read more: Budget")
    clean = _clean("\n\n".join(("Bridge closed", *before, *box, *after)))
    assert _body(clean) == [*before, *after]


def test_cjk_paragraphs_are_body():
    sentences = ("東京都は月曜日、老朽化した橋を閉鎖すると発表した。", "修理には少なくとも半年かかる見通しだという。")
    assert _body(_clean("\n\n".join(("橋を閉鎖", *sentences)))) == list(sentences)
    clean = _clean(_html("橋を閉鎖", "".join(f"<p>{s * 3}</p>" for s in sentences)), "html")
    assert _body(clean) == [s * 3 for s in sentences]


def test_short_capitals_heading_is_kept_and_a_long_capitals_promo_is_not():
    heading, promo = "WHAT HAPPENS NEXT", "READ THE FULL STORY OF HOW THE CITY BUILT ITS FIRST BRIDGE IN 1850"
    text = "\n\n".join(("Bridge closed", *PARAGRAPHS[:2], heading, PARAGRAPHS[2], promo, PARAGRAPHS[3]))
    clean = _clean(text)
    assert _body(clean) == [*PARAGRAPHS[:2], heading, *PARAGRAPHS[2:]]
    assert [b.role for b in clean.blocks if b.text == heading] == ["subheading"]


def test_furniture_phrase_inside_a_long_sentence_is_kept():
    sentence = (
        "Officials urged commuters to sign up for the ferry alerts before Monday, when the first boats leave the "
        "harbour at six in the morning and the last ones return long after the evening rush hour has ended."
    )
    assert sentence in _body(_clean("\n\n".join(("Bridge closed", PARAGRAPHS[0], sentence, PARAGRAPHS[1]))))


def test_long_line_without_a_stop_is_body_only_when_it_reads_as_prose():
    prose = " ".join(("the ferry will run every twenty minutes from six in the morning until midnight",) * 2)
    menu = " ".join(("News Sport Weather Culture Travel Video Live Business Politics Science",) * 2)
    clean = _clean("\n\n".join(("Bridge closed", PARAGRAPHS[0], prose, PARAGRAPHS[1], menu)))
    assert _body(clean) == [PARAGRAPHS[0], prose, PARAGRAPHS[1]]


def test_dek_is_the_first_summary_line_under_the_headline():
    dek = "Engineers found cracks in two supports of the hundred year old crossing"
    text = "\n\n".join(("Bridge closed", dek, "Another summary line that is long enough to be one", *PARAGRAPHS))
    clean = _clean(text)
    assert clean.dek == dek
    assert [b.role for b in clean.blocks].count("dek") == 1
