import pytest
from spacy.tokens import Span

from generator.clean import clean_article
from generator.config import Settings
from generator.extract import _dateline, article_text, build_aliases, extract_article
from generator.model import CleanArticle, RawArticle
from generator.nlp import sentence_spans
from generator.quotes import find_quotes
from generator.text import md_escape


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


@pytest.mark.parametrize(
    ("paragraph", "place"),
    [
        ("SEOUL — Russian President Vladimir Putin will visit North Korea.", "Seoul"),
        ("WASHINGTON (Reuters) - The Senate passed the bill.", "Washington"),
        ("DENVER -- It was about family.", "Denver"),
        ("BARCELONA—Samsung's new phone goes on sale.", "Barcelona"),
        ("ATLANTA, Ga. – The storm hit on Monday.", "Atlanta, Ga."),
        ("US-China trade talks resumed on Monday.", None),
        ("NATO said on Monday it would send more troops.", None),
    ],
)
def test_dateline_forms(paragraph, place):
    assert _dateline([paragraph]) == place


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


def test_alias_entries_can_fix_a_kind(nlp):
    shipped = {"Liberal Democrats": {"kind": "organization", "aliases": ["Lib Dems"]}, "Brexit": {"kind": "event"}}
    aliases = build_aliases(shipped, {"Brexit": {"kind": "event", "aliases": ["UK exit"]}})
    assert aliases.resolve("Lib Dems") == "Liberal Democrats" and aliases.resolve("UK exit") == "Brexit"
    assert aliases.kinds == {"Liberal Democrats": "organization", "Brexit": "event"}
    clean = CleanArticle(
        "a.txt", None, None, ("Peers met on Tuesday.", "The Lib Dems said the vote was a disgrace."), (), (), ()
    )
    article = extract_article(clean, nlp(article_text(clean)), aliases, "a")
    assert ("Liberal Democrats", "organization") in {(e.name, e.kind) for e in article.entities}


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


def _quotes_of(nlp, *paragraphs):
    text = "\n\n".join(("Headline here", *paragraphs))
    clean = clean_article(RawArticle("a.txt", "text", text), frozenset(), Settings())
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


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        pytest.param(
            (
                "John Smith, the mayor of Boston, spoke to reporters on Monday about the plans.",
                '"The new bridge will open next year.',
                'It will carry four lanes of traffic," Smith said.',
            ),
            [("John Smith", "The new bridge will open next year. It will carry four lanes of traffic")],
            id="straight quote over two paragraphs, attribution at its end",
        ),
        pytest.param(
            (
                'Mary Jones, who runs the shelter, said: "We have never seen so many animals.',
                '"Every room in the building is full tonight."',
            ),
            [
                ("Mary Jones", "We have never seen so many animals."),
                ("Mary Jones", "Every room in the building is full tonight."),
            ],
            id="each paragraph reopens the mark: two quotes, one speaker",
        ),
        pytest.param(
            (
                "The report was written by Peter Brown for the council last year.",
                "“It took us a very long time to finish,” he said.",
            ),
            [("Peter Brown", "It took us a very long time to finish")],
            id="pronoun speaker is the person last named",
        ),
        pytest.param(
            (
                "Microsoft released a patch on Tuesday after weeks of complaints from its customers.",
                "“We are working closely with our partners on a fix,” a Microsoft spokesman said.",
                "“Nobody expected the flaw to be found so quickly,” a senior official said.",
            ),
            [
                ("Microsoft", "We are working closely with our partners on a fix"),
                (None, "Nobody expected the flaw to be found so quickly"),
            ],
            id="a spokesman speaks for the organisation, an unnamed official for no one",
        ),
        pytest.param(
            (
                "The firm's engineer Maria Ostrova wrote to customers on Monday about the fault.",
                "'This fault could let a stranger read your saved passwords,' explained Maria Ostrova.",
            ),
            [("Maria Ostrova", "This fault could let a stranger read your saved passwords")],
            id="single quotation marks in an article that has no double ones",
        ),
    ],
)
def test_quotes_and_speakers(nlp, paragraphs, expected):
    assert _quotes_of(nlp, *paragraphs) == expected


def _entities_of(nlp, *paragraphs):
    clean = CleanArticle("a.txt", None, None, tuple(md_escape(p) for p in paragraphs), (), (), ())
    article = extract_article(clean, nlp(article_text(clean)), build_aliases({"United Nations": ["UN"]}), "a")
    return {(e.name, e.kind) for e in article.entities}


NAME_SHAPES = [
    pytest.param(
        ("Peers voted late on Monday.", "Lib Dem Lord Oates accused the government of delay in the debate."),
        {("Oates", "person")},
        {"Lib Dem Lord Oates"},
        id="a person named with an honorific",
    ),
    pytest.param(
        ("Tributes were paid in France.", "The Paris attacks left 130 people dead in November."),
        {("Paris attacks", "event")},
        set(),
        id="a name followed by 'attacks' is an event",
    ),
    pytest.param(
        ("Shelling was reported overnight in the border cities of Khan Younis and Rafah.",),
        {("Khan Younis", "place"), ("Rafah", "place")},
        set(),
        id="'cities of X and Y' are places",
    ),
    pytest.param(
        (
            "Marcus Webb Signed to Two-Year Deal by New Orleans Saints",
            "Marcus Webb was signed to a two-year deal by the New Orleans Saints on Thursday.",
            "The Saints will now rely on him at left tackle.",
        ),
        {("Marcus Webb", "person"), ("New Orleans Saints", "organization")},
        {"Marcus Webb Signed", "Saints"},
        id="Title Case headline words and a short club name",
    ),
    pytest.param(
        (
            "Hundreds of Palestinians had sought refuge in the school.",
            "The Palestinian death toll rose above 680 on Tuesday.",
        ),
        {("Palestinian", "group")},
        {"Palestinians"},
        id="a plural nationality by its adjective when the text has both",
    ),
]
NAME_CONTEXTS = [
    pytest.param(
        ("Daniel Reyes, known as Danny, died in March 2011 after a routine operation.", "Danny was 6."),
        {("Daniel Reyes", "person")},
        {"Danny"},
        id="a name given as 'known as' is its bearer's",
    ),
    pytest.param(
        ("Eastfield United: Van Hal; Reyes, Caldwell, Navarro, Figueras; Hart; Duarte, Mosley.",),
        {("Caldwell", "person"), ("Navarro", "person")},
        set(),
        id="names in a list of persons are persons",
    ),
    pytest.param(
        ("Grant admitted he was the Washington Post's main source.", "The Post confirmed it on Friday."),
        {("Washington Post", "organization")},
        {"Post"},
        id="an organisation by the head of its name",
    ),
    pytest.param(
        ('Grant was 88 when he told CNN\'s "Evening Report Live" in 2009 about his part.',),
        set(),
        {"Evening Report Live"},
        id="a name that is a whole quotation is a title",
    ),
]


NAME_MERGES = [
    pytest.param(
        (
            "Two shells hit the clinic, said Peter Laine, who speaks for the UN Relief and Works Agency.",
            "He said UNRWA wanted an independent inquiry into the attack.",
        ),
        {("United Nations Relief and Works Agency", "organization")},
        {"UNRWA", "UN Relief and Works Agency"},
        id="an abbreviation expanded, an acronym of a name in the text",
    ),
    pytest.param(
        (
            "French President François Hollande spoke on Friday night in Paris.",
            "Francois Hollande then visited the concert hall where the attack took place.",
        ),
        {("François Hollande", "person")},
        {"Francois Hollande"},
        id="one person under two spellings",
    ),
]


NAME_NEIGHBOURS = [
    pytest.param(
        ("The officer was Los Angeles county Sheriff deputy Mark Delgado.",),
        {("Los Angeles County", "place")},
        {"Los Angeles"},
        id="'county' after a place name is part of it",
    ),
    pytest.param(
        ("A firm owned by a former minister from the centrist Democratic Party (DIKO) had its debt reduced.",),
        {("Democratic Party", "organization")},
        {"DIKO"},
        id="an abbreviation in brackets after a name is that name",
    ),
    pytest.param(
        ("The two judges sat at Ipswich Crown Court, next to the Bay View Court hotel, on Monday.",),
        {("Ipswich Crown Court", "organization"), ("Bay View Court", "place")},
        set(),
        id="a court of law is an organisation, a building called Court a place",
    ),
    pytest.param(
        ("A former MP of the conservative Democratic Rally had a loan of 168,000 euros written off.",),
        {("Democratic Rally", "organization")},
        {"Democratic"},
        id="a nationality-like word with a name after it is a body's name",
    ),
    pytest.param(
        ("The case of Ms Grey, of Newham, east London, was heard again on Friday.",),
        {("Newham", "place")},
        set(),
        id="a place named with the region it lies in",
    ),
    pytest.param(
        ("Pam's House Blend, Rep. Ellen Park and the Gay and Lesbian Victory Fund met on Monday.",),
        {("Gay and Lesbian Victory Fund", "organization"), ("Pam's House Blend", "organization")},
        {"Lesbian Victory Fund", "Pam"},
        id="a name joined by 'and', a name with a possessive in it",
    ),
    pytest.param(
        ("The Saints can still rely on Super Bowl MVP Drew Brees this season.",),
        {("Super Bowl", "event")},
        {"Super Bowl MVP"},
        id="a cup or bowl is an event; a trailing abbreviation is no part of it",
    ),
    pytest.param(
        ("He then hurt another student, Amira, who was taken to hospital.",),
        {("Amira", "person")},
        set(),
        id="a name after a word for a person is a person's",
    ),
    pytest.param(
        ("Talks resumed in Oslo.", "Ruth Hale also captained her club Kilbrook to a league title in 2011."),
        {("Kilbrook", "organization")},
        set(),
        id="a name after a word for a body is a body's",
    ),
    pytest.param(
        ("Two shells hit Maple Grove, a small primary school near the river.", "Nobody was hurt."),
        {("Maple Grove", "organization")},
        set(),
        id="a name followed by 'a … school' is a body's",
    ),
    pytest.param(
        ("Harbour Town (4-4-2): Penn; Ames, Ford (Norris, 75), Kemp; Lund.",),
        {("Norris", "person")},
        set(),
        id="a substitute in a line-up is a person",
    ),
    pytest.param(
        ("She won an All-Ireland football championship in 1998.", "They lost in the Scottish championship last year."),
        {("All-Ireland football championship", "event"), ("Scottish championship", "event")},
        {"-Ireland", "Scottish"},
        id="a contest named after a place is an event",
    ),
    pytest.param(
        ("Farmers gathered in Leeds on Sunday.", "The Irish government said it would review the plan next year."),
        {("Irish Government", "organization")},
        {"Irish"},
        id="a nationality's government is a body",
    ),
    pytest.param(
        ("The loans were written off by the Bank of Freedonia.", "Freedonia's debts rose in March."),
        {("Bank of Freedonia", "organization"), ("Freedonia", "place")},
        set(),
        id="the place a body is 'of' is a place",
    ),
    pytest.param(
        ("One week after Transpacific Airways Flight TP812 went missing, the search was widened.",),
        {("Transpacific Airways Flight TP812", "event")},
        {"Transpacific Airways"},
        id="an airline's flight is an event",
    ),
    pytest.param(
        (
            "Families waited for news of Transpacific Airways flight TP812 on Sunday.",
            "Transpacific Airways said the search would go on.",
        ),
        {("Transpacific Airways Flight TP812", "event"), ("Transpacific Airways", "organization")},
        set(),
        id="the airline of a flight stays a body of its own",
    ),
    pytest.param(
        ("“The room went silent,” Tom Reyes, the band’s singer, told reporters on Monday.",),
        {("Tom Reyes", "person")},
        set(),
        id="a person's role in a body is no apposition naming a body",
    ),
    pytest.param(
        ("The club announced it on the Chicago Rangers Facebook page on Friday.",),
        {("Chicago Rangers", "organization"), ("Facebook", "organization")},
        {"Chicago Rangers Facebook"},
        id="a body's account on a platform is two names",
    ),
    pytest.param(
        ("The outage was fixed, NETCO said.", '"Service will return to normal by Monday," said NETCO Operations.'),
        {("NETCO", "organization")},
        {"NETCO Operations"},
        id="a department of a body named in the text is that body",
    ),
]


@pytest.mark.parametrize(
    ("paragraphs", "present", "absent"), NAME_SHAPES + NAME_CONTEXTS + NAME_MERGES + NAME_NEIGHBOURS
)
def test_entity_rules(nlp, paragraphs, present, absent):
    entities = _entities_of(nlp, *paragraphs)
    assert present <= entities
    assert not {name for name, _ in entities} & absent


def test_names_of_a_list_run_together_are_persons(nlp):
    clean = CleanArticle("a.txt", None, None, ("Harbour Town: Penn; Ames, Ford, Kemp (Norris, 75).",), (), (), ())
    doc = nlp(article_text(clean))
    doc.ents = [Span(doc, 3, 4, "PERSON"), Span(doc, 5, 10, "ORG"), Span(doc, 11, 12, "PERSON")]
    entities = {(e.name, e.kind) for e in extract_article(clean, doc, build_aliases({}), "a").entities}
    assert entities == {
        ("Penn", "person"),
        ("Ames", "person"),
        ("Ford", "person"),
        ("Kemp", "person"),
        ("Norris", "person"),
    }


def test_a_place_and_a_plural_after_the_are_a_team(nlp):
    clean = CleanArticle("a.txt", None, None, ("They beat the Portland Pioneers on Sunday in Portland.",), (), (), ())
    doc = nlp(article_text(clean))
    doc.ents = [Span(doc, 2, 5, "FAC"), Span(doc, 8, 9, "GPE")]
    entities = {(e.name, e.kind) for e in extract_article(clean, doc, build_aliases({}), "a").entities}
    assert entities == {("Portland Pioneers", "organization"), ("Portland", "place")}


def test_quotes_need_sentences():
    assert find_quotes('"No sentence was found here"', [0], [], []) == ()


def test_spokesman_after_the_verb_speaks_for_the_body_named_with_him(nlp):
    quotes = _quotes_of(
        nlp,
        "Shares in Acme Corporation fell sharply on Monday after the recall was announced.",
        "“We are confident the problem has been fixed,” said a spokesman for Globex Corporation.",
    )
    assert quotes == [("Globex Corporation", "We are confident the problem has been fixed")]


def test_an_analysis_of_another_text_is_refused(nlp):
    clean = CleanArticle("a.txt", None, None, ("The minister visited Paris on Monday.",), (), (), ())
    other = nlp("The minister visited Paris on Monday and then flew home.")
    with pytest.raises(ValueError, match="not of this article's text"):
        extract_article(clean, other, build_aliases(), "a")
    assert extract_article(clean, nlp(article_text(clean)), build_aliases(), "a").sentences
