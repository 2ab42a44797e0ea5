from generator.relate import are_versions, relate_articles
from tests.conftest import make_article


def _by_source(corpus):
    return {a.source[:3]: a.id for a in corpus.articles}


def test_seed_000_and_003_are_versions_of_one_story(seed_corpus):
    ids = _by_source(seed_corpus)
    relations = seed_corpus.relations
    assert relations.versions_of(ids["000"]) == (ids["003"],)
    story = relations.story_of(ids["000"])
    assert set(story.articles) == {ids["000"], ids["003"]}
    # 003 says it is a developing story: it is the earlier version.
    assert story.versions == ((ids["003"], ids["000"]),)


def test_seed_002_is_the_next_story_on_the_same_storyline(seed_corpus):
    ids = _by_source(seed_corpus)
    relations = seed_corpus.relations
    summit, visit = relations.story_of(ids["000"]), relations.story_of(ids["002"])
    assert summit != visit
    assert summit.storyline == visit.storyline
    line = next(s for s in relations.storylines if s.id == summit.storyline)
    assert line.stories == (summit.id, visit.id)


def test_related_reading_has_reasons(seed_corpus):
    ids = _by_source(seed_corpus)
    related = seed_corpus.relations.related_to(ids["002"])
    assert related, "002 has related reading"
    assert all(r.target != ids["002"] for r in related)
    assert "shares" in related[0].reason and "Kim Jong Un" in related[0].reason


BASE = [
    "The city council voted on Monday to close the old river bridge for repairs.",
    "Engineers found deep cracks in two of the bridge supports during an inspection last month.",
    "The closure is expected to last at least six months, the council said in a statement.",
    "Drivers will be sent on a detour through the northern industrial estate meanwhile.",
    "Local shop owners said they feared losing customers during the long closure period.",
]


def test_edited_article_is_a_version_but_a_same_topic_article_is_not():
    edited = [
        BASE[0].replace("Monday", "Tuesday"),
        *BASE[1:4],
        "A public meeting on the plans is set for next week.",
    ]
    other = [
        "The county approved money on Friday to repair the old river bridge next year.",
        "Officials said the bridge would stay open to traffic while the funding was arranged.",
        "Residents have long complained about potholes on the approach roads to the bridge.",
    ]
    assert are_versions(make_article("a", BASE), make_article("b", edited))
    assert not are_versions(make_article("a", BASE), make_article("c", other))


def test_relations_are_symmetric_and_never_self():
    unrelated = [
        "The regional orchestra announced its spring programme of concerts on Thursday evening.",
        "Tickets for the opening night sold out within an hour of going on sale online.",
    ]
    articles = [
        make_article("a", BASE, "2024-01-02"),
        make_article("b", BASE[:4], "2024-01-02"),
        make_article("c", unrelated, "2024-03-01"),
    ]
    relations = relate_articles(articles)
    for article_id, related in relations.related:
        assert all(r.target != article_id for r in related)
    assert relations.versions_of("a") == ("b",)
    assert relations.versions_of("b") == ("a",)
    assert relations.versions_of("c") == ()
    assert sorted(a for s in relations.stories for a in s.articles) == ["a", "b", "c"]


def test_cached_signatures_give_the_same_relations(seed_corpus):
    from generator.relate import shingle_signature

    signatures = {a.id: shingle_signature(a) for a in seed_corpus.articles}
    assert relate_articles(seed_corpus.articles, signatures=signatures) == relate_articles(seed_corpus.articles)


def test_signatures_estimate_the_shingle_jaccard_of_two_versions():
    """Shingle hashes stand for the shingles' text: no two runs of words share one, so the estimate holds."""
    from generator.relate import SHINGLE, _minhash, _tokens

    lines = [
        f"Line {n} of the council's report on the {word} budget, read out on Tuesday."
        for n, word in enumerate(["school", "road", "park", "library", "harbour", "market", "bridge", "museum"])
    ]
    first, second = _tokens(lines[:6]), _tokens(lines[2:])

    def shingles(words: tuple[str, ...]) -> set[tuple[str, ...]]:
        return {words[i : i + SHINGLE] for i in range(len(words) - SHINGLE + 1)}

    exact = len(shingles(first) & shingles(second)) / len(shingles(first) | shingles(second))
    assert 0.3 < exact < 0.7
    assert abs(_minhash(first).jaccard(_minhash(second)) - exact) < 0.12


def test_shingle_hashes_follow_word_order_and_repeat_for_repeated_runs():
    from generator.relate import shingle_hashes

    run = ["one", "two", "three", "four", "five"]
    assert shingle_hashes(run)[0] != shingle_hashes(run[::-1])[0]
    repeated = shingle_hashes([*run, *run])
    assert repeated[0] == repeated[5]
    assert len(shingle_hashes(["short", "text"])) == 1
    assert len(shingle_hashes([])) == 0


def test_facts_keep_numbers_whole_and_spell_days_and_counts_one_way():
    from generator.relate import facts

    found = facts("A 5.6 magnitude quake struck on Sunday, Nov. 27, at 9:27; five died. 27 November 2005")
    assert "5.6" in found and "9:27" in found and "2005" in found
    assert found.count("nov-27") == 2
    assert "sunday" in found and "5" in found


def test_dates_keep_groups_apart_unless_most_are_close():
    from generator.relate import _mostly_close

    week = [738000, 738001, 738003]
    assert _mostly_close(week, [738005], 14)
    assert not _mostly_close(week, [738400], 14)
    # One article dated by a day it looks back to does not keep the others apart.
    assert _mostly_close([737000, 738002], [738000, 738001], 14)
    assert _mostly_close([], [738400], 14)


def test_versions_need_three_shared_sentences_and_a_third_of_the_shorter():
    own = [f"{words} alpha beta gamma delta" for words in ("ab ac ad", "ba bc bd", "ca cb cd", "da db dc")]
    own += [f"{word} {word}x {word}y {word}z epsilon zeta" for word in ("ea", "fa", "ga", "ha", "ia", "ja")]
    other = [f"{word} {word}q {word}r {word}s eta theta iota" for word in "klmnopqrst"]
    assert are_versions(make_article("a", own), make_article("b", own[:3] + other[3:]))
    assert not are_versions(make_article("a", own), make_article("c", own[:2] + other[2:]))
