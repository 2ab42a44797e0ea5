import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.relate import SENTENCE_MATCH, VERSION_MIN_SHARED, VERSION_OVERLAP, relate_articles, version_overlaps
from tests.conftest import make_article


def _versions(first, second) -> bool:
    """The version rule as the search applies it, for one pair."""
    return bool(version_overlaps([first, second], np.array([0]), np.array([1]))[0] >= VERSION_OVERLAP)


def _same_sentence(first: frozenset[str], second: frozenset[str]) -> bool:
    return len(first & second) >= SENTENCE_MATCH * len(first | second)


def _versions_by_definition(first, second) -> bool:
    """The rule read one sentence at a time: enough sentences of the shorter article are found,
    verbatim or edited (word Jaccard >= SENTENCE_MATCH), in the longer one."""

    def words(article):
        return [frozenset(re.findall(r"\w+", s.text.lower())) for s in article.sentences if len(s.text.split()) >= 5]

    a, b = words(first), words(second)
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    matched = sum(1 for s in shorter if any(_same_sentence(s, t) for t in longer))
    return matched >= min(VERSION_MIN_SHARED, len(shorter)) and matched / len(shorter) >= VERSION_OVERLAP


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
    assert _versions(make_article("a", BASE), make_article("b", edited))
    assert not _versions(make_article("a", BASE), make_article("c", other))


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


def test_cached_features_give_the_same_relations(seed_corpus):
    from generator.relate import article_features

    features = dict(zip((a.id for a in seed_corpus.articles), article_features(seed_corpus.articles), strict=True))
    assert relate_articles(seed_corpus.articles, features=features) == relate_articles(seed_corpus.articles)


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
    assert _versions(make_article("a", own), make_article("b", own[:3] + other[3:]))
    assert not _versions(make_article("a", own), make_article("c", own[:2] + other[2:]))


def _edited_sentences(seed: int, count: int) -> list[str]:
    """Sentences from a small vocabulary, each a few word swaps away from an earlier one or new:
    their word Jaccards spread around SENTENCE_MATCH."""
    import random

    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(40)]
    sentences = [" ".join(rng.sample(vocabulary, rng.randint(5, 12)))]
    while len(sentences) < count:
        words = rng.choice(sentences).split()
        for _ in range(rng.randint(0, 4)):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        if rng.random() < 0.3:
            words = rng.sample(vocabulary, rng.randint(2, 12))
        sentences.append(" ".join(words))
    return sentences


def test_similar_sentences_are_exactly_the_pairs_a_full_comparison_finds():
    from generator.relate import _similar_sentences

    word_sets = list(dict.fromkeys(frozenset(s.split()) for s in _edited_sentences(1, 400)))
    word_sets += [frozenset(), frozenset(["w1"]), frozenset(["w1", "w2"]), frozenset(["w1", "w2", "w3"])]
    first, second = _similar_sentences(word_sets)
    found = set(zip(first.tolist(), second.tolist(), strict=True))
    expected = {
        (i, j)
        for i in range(len(word_sets))
        for j in range(i + 1, len(word_sets))
        if _same_sentence(word_sets[i], word_sets[j])
    }
    assert found == expected
    assert len(expected) > 50, "the sample holds edited sentences"
    assert _similar_sentences([])[0].size == 0


def test_version_overlaps_of_many_pairs_agree_with_the_rule_read_pair_by_pair():
    import random

    rng = random.Random(2)
    pool = [*_edited_sentences(3, 60), "too short to count", "Short one."]
    articles = [make_article(f"a{n}", rng.sample(pool, rng.randint(0, 9))) for n in range(80)]
    own = [f"{n} alpha{n} beta{n} gamma{n} delta{n} epsilon{n}" for n in range(20)]
    articles += [make_article("ten", own[:10]), make_article("three-of-ten", own[:3] + own[10:20])]
    first, second = np.triu_indices(len(articles), 1)
    confirmed = version_overlaps(articles, first, second) >= VERSION_OVERLAP
    expected = [_versions_by_definition(articles[i], articles[j]) for i, j in zip(first, second, strict=True)]
    assert confirmed.tolist() == expected
    assert 20 < sum(expected) < len(expected) - 20, "the sample holds versions and others"
    assert version_overlaps(articles, first[:0], second[:0]).size == 0


def test_close_pairs_are_the_candidates_of_one_query_per_article_estimated_contained_enough():
    from datasketch import MinHashLSH

    from generator.relate import (
        CANDIDATE_CONTAINMENT,
        LSH_BANDS,
        NUM_PERM,
        _close_pairs,
        _containment_of,
        _estimated_containment,
        _minhash,
        _shingle_count,
        _tokens,
    )

    sentences = _edited_sentences(4, 300)
    texts = [[sentences[(n * 7 + k) % 300] for k in range(n % 5 + 2)] for n in range(150)]
    tokens = [_tokens(text) for text in texts]
    minhashes = [_minhash(t) for t in tokens]
    signatures = np.array([m.hashvalues for m in minhashes], dtype=np.uint32)
    sizes = np.array([_shingle_count(t) for t in tokens])
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, 1))
    for row, minhash in enumerate(minhashes):
        lsh.insert(row, minhash)
    expected = {
        (row, other)
        for row, minhash in enumerate(minhashes)
        for other in lsh.query(minhash)
        if other > row
        and _containment_of(minhash.jaccard(minhashes[other]), sizes[row], sizes[other]) >= CANDIDATE_CONTAINMENT
    }
    first, second = _close_pairs(signatures, sizes)
    assert set(zip(first.tolist(), second.tolist(), strict=True)) == expected
    assert len(expected) > 20
    everyone = np.arange(len(minhashes))
    pairwise = [
        _containment_of(minhashes[0].jaccard(m), sizes[0], size) for m, size in zip(minhashes, sizes, strict=True)
    ]
    assert _estimated_containment(signatures, sizes, everyone * 0, everyone).tolist() == pairwise


def test_features_of_one_article_do_not_depend_on_its_batch():
    """Chunks of a build differ from run to run; an article's cached features must not."""
    from generator.relate import article_features

    articles = [make_article(f"a{n}", _edited_sentences(n, 6)) for n in range(4)]
    together = article_features(articles)
    assert [article_features([a])[0] for a in articles] == together
    assert article_features(articles[2:]) == together[2:]


def test_stacked_feature_rows_are_the_matrix_the_vectorizer_makes():
    """Relations from cached features are byte-identical only if the stacked rows equal one transform."""
    from generator.relate import _counts, article_features, feature_hashers
    from generator.text import markdown_to_plain

    articles = [make_article(f"a{n}", _edited_sentences(n, 6)) for n in range(4)]
    stacked = _counts([(f.word_columns, f.word_counts) for f in article_features(articles)])
    texts = ["\n".join([a.title, *(markdown_to_plain(p) for p in a.paragraphs)]) for a in articles]
    direct = feature_hashers()[0].transform(texts)
    assert stacked.dtype == direct.dtype and stacked.shape == direct.shape
    assert (stacked != direct).nnz == 0 and stacked.nnz == direct.nnz > 0


def test_version_groups_join_only_articles_that_are_all_versions_of_each_other():
    from generator.relate import _complete_link_groups

    chain = [(0, 1), (1, 2), (2, 3)]
    assert _complete_link_groups(4, chain) == [0, 0, 2, 2]
    clique = [(0, 1), (0, 2), (1, 2), (2, 3)]
    assert _complete_link_groups(4, clique) == [0, 0, 0, 3]
    assert _complete_link_groups(4, [(2, 3), *clique]) == [0, 0, 2, 2], "the pair taken first wins"


def test_a_chain_of_articles_sharing_paragraphs_in_turn_is_not_one_group_of_versions():
    words = [f"w{n}" for n in range(400)]
    own = [[" ".join(words[40 * n + 8 * k : 40 * n + 8 * k + 8]) + "." for k in range(4)] for n in range(4)]
    shared = [" ".join(words[200 + 12 * k : 212 + 12 * k]) + "." for k in range(12)]
    chain = [make_article(f"c{n}", own[n] + shared[3 * n : 3 * n + 6]) for n in range(4)]
    relations = relate_articles(chain)
    groups = sorted(sorted(g) for story in relations.stories for g in story.versions)
    assert ["c0", "c1", "c2", "c3"] not in groups
    assert all(len(g) <= 2 for g in groups)


def _average_link_from_scratch(groups, graph, threshold, allowed):
    """Average-link as its docstring says it, every average summed anew at every step."""
    members = {c: list(g) for c, g in enumerate(groups)}
    refused = set()
    while True:
        candidates = []
        for a in members:
            for b in members:
                edges = [graph[i][j] for i in members[a] for j in members[b] if j in graph[i]]
                if a < b and edges and (a, b) not in refused:
                    candidates.append((-sum(edges) / (len(members[a]) * len(members[b])), a, b))
        if not candidates or -min(candidates)[0] < threshold:
            return sorted((sorted(g) for g in members.values()), key=lambda g: g[0])
        negative, a, b = min(candidates)
        if allowed(members[a], members[b], -negative):
            members[a] += members.pop(b)
            refused = {pair for pair in refused if not {a, b} & set(pair)}
        else:
            refused.add((a, b))


def test_average_link_merges_as_recomputing_every_average_would():
    import random

    from generator.relate import _average_link

    merged = refused = 0
    for seed in range(300):
        rng = random.Random(seed)
        n = rng.randint(2, 24)
        graph = {i: {} for i in range(n)}
        for _ in range(rng.randint(1, 3 * n)):
            i, j = rng.sample(range(n), 2)
            graph[i][j] = graph[j][i] = rng.randint(1, 8) / 8  # exact sums, many ties
        order = rng.sample(range(n), n)
        cuts = sorted(rng.sample(range(1, n), rng.randint(0, n // 3))) if n > 1 else []
        groups = sorted(sorted(order[x:y]) for x, y in zip([0, *cuts], [*cuts, n], strict=True))

        def allowed(first, second, similarity):
            # refuses to make a group of three, which either group growing changes
            nonlocal refused
            refused += (len(first) + len(second)) % 3 == 0
            return (len(first) + len(second)) % 3 != 0

        threshold = rng.choice([0.05, 0.1, 0.3])
        clusters = _average_link(groups, graph, threshold, allowed)
        assert clusters == _average_link_from_scratch(groups, graph, threshold, allowed), seed
        merged += len(groups) - len(clusters)
    assert merged > 200 and refused > 50, (merged, refused)


def test_similarities_worked_out_in_blocks_on_workers_give_the_same_relations(monkeypatch):
    import random

    from generator import relate

    rng = random.Random(7)
    topics = ["bridge", "school", "budget"]
    pool = [f"The council of town {n} voted on the {rng.choice(topics)} plan." for n in range(60)]
    articles = [make_article(f"a{n:02d}", rng.sample(pool, rng.randint(3, 9)), "2024-01-02") for n in range(48)]
    profiles = [relate._profile(a, f) for a, f in zip(articles, relate.article_features(articles), strict=True)]
    graph, relations = relate._neighbour_graph(profiles), relate_articles(articles)
    monkeypatch.setattr(relate, "SIMILARITY_BLOCK", 6 * len(articles))  # eight blocks of six articles
    in_blocks = relate._neighbour_graph(profiles, workers=2)
    assert [(i, list(edges.items())) for i, edges in in_blocks.items()] == [
        (i, list(edges.items())) for i, edges in graph.items()
    ]
    assert all(i not in edges for i, edges in in_blocks.items()) and sum(map(len, graph.values())) > len(articles)
    assert relate_articles(articles, workers=2) == relations


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_lsh_buckets_pair_the_articles_datasketchs_index_pairs(articles: int, seed: int, values: int):
    """Few distinct values per position, so that articles share bands often, and sometimes all of them."""
    from datasketch import LeanMinHash, MinHashLSH

    from generator.relate import LSH_BANDS, NUM_PERM, _lsh_buckets

    signatures = np.random.default_rng(seed).integers(0, values, size=(articles, NUM_PERM)).astype(np.uint32)
    buckets = _lsh_buckets(signatures)
    shared = (buckets @ buckets.T).tocoo()
    ours = {(int(i), int(j)) for i, j in zip(shared.row, shared.col, strict=True) if i != j}
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, 1))
    hashes = [LeanMinHash(seed=1, hashvalues=row, scheme="affine32") for row in signatures]
    for row, signature in enumerate(hashes):
        lsh.insert(row, signature)
    theirs = {(row, other) for row, signature in enumerate(hashes) for other in lsh.query(signature) if other != row}
    assert ours == theirs
