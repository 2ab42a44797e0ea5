"""Stage 6, index: articles + relations -> TopicIndex (people, organisations, places, groups, events, themes).

Themes are the key phrases that set an article apart from the rest of the corpus: its highest
TF-IDF words and word pairs that are not part of a name, one per inflection ("sanction" and
"sanctions" are one theme).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from generator.model import Article, Backlink, Mention, Quote, Relations, ThemeTerms, Topic, TopicIndex
from generator.text import markdown_to_plain, slugify, stop_words

KIND_FOLDERS = {
    "person": "people",
    "organization": "organizations",
    "place": "places",
    "group": "groups",
    "event": "events",
    "theme": "themes",
}


THEMES_PER_ARTICLE = 4
REPORTING_WORDS = frozenset(
    [
        "according",
        "said",
        "says",
        "told",
        "added",
        "also",
        "would",
        "could",
        "week",
        "year",
        "years",
        "time",
        "including",
        "recently",
        "later",
        "earlier",
        "percent",
        "people",
        "officials",
    ]
)
"""Words every news story uses: never a theme."""
PAGES_PER_ARTICLE = 0.5
"""Topic pages per article at most, so the site stays within about twice as many pages as articles."""
MIN_PAGE_BUDGET = 50
"""A small corpus still gets this many topic pages."""


def build_topic_index(
    articles: Sequence[Article],
    relations: Relations,
    min_articles: int = 2,
    theme_terms: Mapping[str, ThemeTerms] | None = None,
) -> TopicIndex:
    """One topic per canonical entity; those named in at least `min_articles` articles get a page.

    `theme_terms` are the articles' `theme_terms_of` where already known (cached per article).
    """
    dates = {a.id: (relations.date_of(a.id) or a.date).date for a in articles}
    newest_first = sorted(articles, key=lambda a: (dates[a.id] or "", a.id), reverse=True)
    themes = article_themes(articles, theme_terms)
    members: dict[tuple[str, str], list[Article]] = {}
    for article in newest_first:
        for entity in article.entities:
            members.setdefault((entity.name, entity.kind), []).append(article)
        for theme in themes.get(article.id, ()):
            members.setdefault((theme, "theme"), []).append(article)
    # The most named entities get pages, never more than half as many as there are articles.
    ranked = sorted(members, key=lambda key: (-len(members[key]), key[1], key[0]))
    with_page = {
        key
        for key in ranked[: max(MIN_PAGE_BUDGET, int(len(articles) * PAGES_PER_ARTICLE))]
        if len(members[key]) >= min_articles
    }
    co_mentions = _co_mentions(articles, {name for name, _ in with_page})
    mentions, quotes = _said_by_name(articles)
    used_slugs: set[str] = set()
    topics = []
    for (name, kind), found in sorted(members.items(), key=lambda item: (item[0][1], item[0][0].lower(), item[0][0])):
        slug = _unique_slug(f"{KIND_FOLDERS[kind]}/{slugify(name)}", used_slugs)
        seen = sorted(d for a in found if (d := dates[a.id]))
        page = (name, kind) in with_page
        topics.append(
            Topic(
                name=name,
                kind=kind,
                slug=slug,
                articles=tuple(a.id for a in found),
                backlinks=tuple(Backlink(a.id, m.sentence) for a in found for m in mentions[a.id].get(name, ()))
                if page
                else (),
                co_mentioned=tuple(co_mentions.get(name, ())) if page else (),
                quotes=tuple(quote for a in found for quote in quotes[a.id].get(name, ())),
                first_seen=seen[0] if seen else None,
                last_seen=seen[-1] if seen else None,
                has_page=page,
            )
        )
    return TopicIndex(tuple(topics))


_THEME_WORD = re.compile(r"\b[a-z][a-z-]{3,}\b")
_WORD = re.compile(r"\w+")


def _theme_terms(text: str) -> list[str]:
    """Words and pairs of adjacent words, none of them a stop word: a theme is a phrase the text says."""
    stop = stop_words()
    words = [word if word not in stop else "" for word in _THEME_WORD.findall(text)]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words) if a and b]
    return [word for word in words if word] + pairs


def theme_terms_of(article: Article) -> ThemeTerms:
    """The article's candidate themes with their counts: they depend on it alone, so they are cached with it."""
    counted = Counter(_theme_terms(" ".join(markdown_to_plain(p) for p in article.paragraphs).lower()))
    terms = sorted(counted)
    return ThemeTerms(tuple(terms), tuple(counted[term] for term in terms))


def smoothed_idf(document_frequency: np.ndarray, documents: int) -> np.ndarray:
    """scikit-learn's smoothed idf, ln((1 + n) / (1 + df)) + 1, in its order of operations (the same bits).

    Written out because the frequencies are counted over cached terms; TfidfTransformer wants a count matrix.
    """
    idf = np.full(len(document_frequency), documents + 1, dtype=np.float64)
    idf /= document_frequency.astype(np.float64) + 1.0
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def article_themes(
    articles: Sequence[Article],
    known: Mapping[str, ThemeTerms] | None = None,
    per_article: int = THEMES_PER_ARTICLE,
) -> dict[str, tuple[str, ...]]:
    """Key phrases per article id, best first: high TF-IDF terms of one or two words, names left out.

    A term in more than half of the articles (of 20 or more) is no theme.
    """
    bags = [(known or {}).get(a.id) or theme_terms_of(a) for a in articles]
    frequency = Counter(itertools.chain.from_iterable(bag.terms for bag in bags))
    limit = (0.5 if len(articles) >= 20 else 1.0) * len(articles)
    terms = sorted(term for term, count in frequency.items() if count <= limit)
    if not terms:
        return {}
    column_of = {term: column for column, term in enumerate(terms)}
    idf = smoothed_idf(np.array([frequency[term] for term in terms]), len(articles))
    themes: dict[str, tuple[str, ...]] = {}
    for article, bag in zip(articles, bags, strict=True):
        names = {e.name for e in article.entities} | {m.surface for m in article.mentions}
        named = {word for name in names for word in _WORD.findall(name.lower())} | REPORTING_WORDS
        # A theme is said more than once; a phrase of two words says more than one word.
        scored = [
            ((1.0 + math.log(n)) * idf[column] * (2.0 if " " in term else 1.0), column)
            for term, n in zip(bag.terms, bag.counts, strict=True)
            if n >= 2 and (column := column_of.get(term)) is not None
        ]
        ranked = sorted(scored, key=lambda item: (-item[0], terms[item[1]]))
        chosen: list[str] = []
        stems: set[str] = set()
        for _, column in ranked:
            term = str(terms[column])
            words = term.split()
            stem = " ".join(_stem(word) for word in words)
            if named & set(words) or stem in stems or any(_stem(w) in stems for w in words):
                continue
            chosen.append(term)
            stems.add(stem)
            stems.update(_stem(w) for w in words)
            if len(chosen) == per_article:
                break
        themes[article.id] = tuple(chosen)
    return themes


def _stem(word: str) -> str:
    """Enough of an English stemmer to make plurals and simple verb forms one theme."""
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 4:
        return word[:-1]
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _unique_slug(slug: str, used: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in used:
        candidate = f"{slug}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _co_mentions(articles: Sequence[Article], wanted: set[str], top: int = 6) -> dict[str, list[str]]:
    """For each wanted name, the names said most with it; named often in the same article weighs more
    (entities come most mentioned first). One sparse product instead of a count per pair of names."""
    columns: dict[str, int] = {}
    rows, cells, values = [], [], []
    for row, article in enumerate(articles):
        names = [e.name for e in article.entities]
        for name, weight in {name: 1.0 / (1 + rank) for rank, name in enumerate(names)}.items():
            rows.append(row)
            cells.append(columns.setdefault(name, len(columns)))
            values.append(weight)
    chosen = sorted(wanted & columns.keys())
    if not chosen:
        return {}
    weights = sparse.csr_matrix((values, (rows, cells)), shape=(len(articles), len(columns)))
    said = (weights[:, [columns[name] for name in chosen]] > 0).astype(float)
    together = (said.T @ weights).tocsr()
    names = list(columns)
    found: dict[str, list[str]] = {}
    for row, name in enumerate(chosen):
        start, end = together.indptr[row], together.indptr[row + 1]
        others, scores = together.indices[start:end], together.data[start:end]
        not_itself = others != columns[name]
        others, scores = others[not_itself], scores[not_itself]
        if len(scores) > top:
            # Only names scoring at least the top-th best can be among the top, ties on it included.
            best = scores >= np.partition(scores, len(scores) - top)[len(scores) - top]
            others, scores = others[best], scores[best]
        ranked = sorted(zip((-scores).tolist(), (names[column] for column in others.tolist()), strict=True))
        found[name] = [other for _, other in ranked[:top]]
    return found


def _said_by_name(
    articles: Sequence[Article],
) -> tuple[dict[str, dict[str, list[Mention]]], dict[str, dict[str, list[Quote]]]]:
    """Per article, its mentions by the name they refer to and its quotes by speaker, in article order:
    one pass, instead of one over a topic's articles for every topic."""
    mentions: dict[str, dict[str, list[Mention]]] = {}
    quotes: dict[str, dict[str, list[Quote]]] = {}
    for article in articles:
        by_name = mentions[article.id] = {}
        for mention in article.mentions:
            by_name.setdefault(mention.name, []).append(mention)
        by_speaker = quotes[article.id] = {}
        for quote in article.quotes:
            if quote.speaker:
                by_speaker.setdefault(quote.speaker, []).append(quote)
    return mentions, quotes
