from hypothesis import given
from hypothesis import strategies as st

from generator.index import build_topic_index


def test_topic_pages_only_for_entities_in_two_articles(seed_corpus):
    index = seed_corpus.index
    putin = index.page_of("Vladimir Putin")
    assert putin is not None and putin.slug == "people/vladimir-putin"
    assert len(putin.articles) == 3
    lavrov = next(t for t in index.topics if t.name == "Sergey Lavrov")
    assert not lavrov.has_page and index.page_of("Sergey Lavrov") is None


def test_topic_profile(seed_corpus):
    kim = seed_corpus.index.page_of("Kim Jong Un")
    assert kim.first_seen == "2023-09-13"
    assert kim.last_seen == "2024-11-22"
    assert "Vladimir Putin" in kim.co_mentioned
    assert any("Kim" in b.sentence for b in kim.backlinks)
    assert kim.quotes and all(q.speaker == "Kim Jong Un" for q in kim.quotes)


def test_threshold_is_configurable(seed_corpus):
    index = build_topic_index(seed_corpus.articles, seed_corpus.relations, min_articles=1)
    assert all(t.has_page for t in index.topics)
    slugs = [t.slug for t in index.topics]
    assert len(slugs) == len(set(slugs))


def test_themes_are_key_phrases_not_names(seed_corpus):
    from generator.index import article_themes

    themes = article_themes(seed_corpus.articles)
    visit = next(a for a in seed_corpus.articles if a.source.startswith("002"))
    assert "nuclear weapons" in themes[visit.id] and "ballistic missiles" in themes[visit.id]
    for article in seed_corpus.articles:
        named = {w.lower() for e in article.entities for w in e.name.split()}
        assert 1 <= len(themes[article.id]) <= 4
        assert not named & {w for theme in themes[article.id] for w in theme.split()}


def test_theme_inflections_are_one_theme():
    from generator.index import _stem

    assert _stem("sanctions") == _stem("sanction")
    assert _stem("negotiations") == _stem("negotiation")
    assert _stem("missiles") == _stem("missile")


def test_theme_weights_are_scikit_learns_and_cached_terms_give_the_same_themes():
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    from generator.index import _theme_terms, article_themes, smoothed_idf, theme_terms_of
    from generator.text import markdown_to_plain
    from tests.conftest import make_article

    topics = ["harbour dredging", "school meals", "river flooding", "bus fares", "library hours"]
    articles = [
        make_article(
            f"a{n:02d}",
            [
                f"The council debated {topics[n % 5]} again on Monday, and {topics[n % 5]} split the chamber.",
                f"Residents wrote about {topics[(n + 1) % 5]} and the council budget in letter {n}.",
            ],
        )
        for n in range(24)
    ]
    texts = [" ".join(markdown_to_plain(p) for p in a.paragraphs).lower() for a in articles]
    counts = CountVectorizer(analyzer=_theme_terms, max_df=0.5).fit_transform(texts)
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    assert smoothed_idf(frequency, len(articles)).tolist() == TfidfTransformer().fit(counts).idf_.tolist()
    themes = article_themes(articles)
    assert themes["a00"][0] == "harbour dredging"
    assert not any("council" in theme for found in themes.values() for theme in found)  # in every article
    assert article_themes(articles, {a.id: theme_terms_of(a) for a in articles}) == themes


@given(
    st.lists(st.lists(st.sampled_from("ABCDEFGHIJ"), min_size=1, max_size=2, unique=True), min_size=1, max_size=30),
    st.integers(min_value=1, max_value=4),
)
def test_co_mentions_are_the_names_said_most_with_each_ties_by_name(named, top):
    """Against counting every pair: weight 1 for an article's first name, 1/2 for its second (sums exact)."""
    from generator.index import _co_mentions
    from tests.conftest import make_article

    articles = [make_article(f"a{n}", ["Text."], names=tuple(names)) for n, names in enumerate(named)]
    wanted = {name for names in named for name in names}
    found = _co_mentions(articles, wanted, top)
    for name in sorted(wanted):
        score: dict[str, float] = {}
        for names in named:
            if name in names:
                for rank, other in enumerate(names):
                    if other != name:
                        score[other] = score.get(other, 0.0) + 1.0 / (1 + rank)
        expected = [other for _, other in sorted((-value, other) for other, value in score.items())[:top]]
        assert found.get(name, []) == expected
