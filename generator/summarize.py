"""Stage 4, summarize: Article -> Brief, a one-line summary and key points taken from its own sentences.

Sentences are ranked by centrality in their similarity graph (TextRank, Mihalcea & Tarau 2004: the
words two sentences share, function words counting a little, normalised by their lengths) with the
lead's position as a prior, then picked with maximal marginal relevance so that no two say the same
thing. A sentence that cannot stand alone is never picked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from generator.config import Settings
from generator.model import Article, Brief, KeyPoint, Sentence, StoryFact
from generator.text import stop_words

DAMPING = 0.85
LEAD_WEIGHT = 0.1
"""How much the lead's position counts beside centrality: news puts the gist first."""
MAX_CANDIDATES = 300
"""News puts what matters first; past this many sentences the similarity graph only costs memory."""
FUNCTION_WORD_WEIGHT = 0.1
"""A function word two sentences share counts this much of a content word: shared phrasing is weak evidence."""
REDUNDANCY = 0.8
"""MMR trade-off: higher keeps more central sentences, lower more varied ones."""

_NEEDS_CONTEXT = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|but|and|or|so|also|still|however|meanwhile|"
    r"moreover|yet|then|there|here|such|both|the two|the pair|the duo|in turn|as well|instead|otherwise)\b",
    re.IGNORECASE,
)
_NO_ANTECEDENT = re.compile(
    r"^(?:there (?:is|are|was|were|has|have|had|will|would|may|might|could|remains?|seems?|appears?)"
    r"|this (?:week|month|year|season|summer|autumn|winter|spring|weekend|morning|afternoon|evening))\b",
    re.IGNORECASE,
)
"""Openings that look like context words but point at nothing before: "There are ...", "This week ..."."""
_ATTRIBUTED = re.compile(
    r"[”\"],? (?:[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*)* |he |she |they |it )?(?:said|says|told|added)\b"
)
"""A quotation that opens a sentence stands alone when the sentence says who said it."""
_TOKEN = re.compile(r"\w+")
_OPEN_QUOTES = '“‘"'
_CLOSE_QUOTES = '”’"'
Shortener = Callable[[str], str | None]


def summarize_article(article: Article, settings: Settings, shorten: Shortener | None = None) -> Brief:
    """The most central standalone sentence as the summary, the next few as key points in source order.

    `shorten`: the main clause of a sentence too long for the summary (`nlp.main_clause`), or None.
    When the lead sentence ranks first but is too long, its main clause is the summary if it stands
    alone; a summary sentence that fits loses only its dateline.
    """
    sentences = article.sentences[:MAX_CANDIDATES]
    speakers = _quote_speakers(article, sentences)
    alone = {i for i, s in enumerate(sentences) if stands_alone(s.text, speaker=speakers.get(i))}
    if not alone:
        return Brief(summary="", key_points=())
    # "But ..." or "He ..." reads well as a key point right after the key point it follows.
    followers = {
        i
        for i, s in enumerate(sentences)
        if i - 1 in alone
        and s.paragraph == sentences[i - 1].paragraph
        and stands_alone(s.text, after_previous=True, speaker=speakers.get(i))
    }
    eligible = sorted(alone | followers)
    # Centrality is measured over every sentence, so a point the article makes in a quote still counts.
    all_scores = _scores([s.text for s in sentences])
    candidates = [sentences[i] for i in eligible]
    scores = all_scores[eligible]
    position = {sentence_index: i for i, sentence_index in enumerate(eligible)}
    needs = {position[i]: position[i - 1] for i in followers - alone}
    # The one-line summary is the article's own voice: a quotation may be a key point, not the summary.
    fitting = [
        i
        for i, s in enumerate(candidates)
        if i not in needs and len(s.text.split()) <= settings.summary_max_words and s.text[0] not in _OPEN_QUOTES
    ]
    standalone = [i for i in range(len(candidates)) if i not in needs]
    pool = fitting or [min(standalone, key=lambda i: len(candidates[i].text.split()))]
    summary_index = max(pool, key=lambda i: (scores[i], -i))
    summary = candidates[summary_index].text
    if shorten:
        first = max(standalone, key=lambda i: (scores[i], -i))
        # The lead is where news puts the whole story in one long sentence: only its main clause is sought.
        long_lead = eligible[first] == 0 and first not in pool
        if long_lead and (short := _one_line(candidates[first].text, shorten, settings.summary_max_words)):
            summary_index, summary = first, short
        else:
            # The sentence chosen loses its dateline ("SEOUL — "), no part of the one line, and nothing
            # else unless it is too long for the line (when no sentence fits).
            summary = _one_line(summary, shorten, settings.summary_max_words) or summary
    chosen = _mmr(candidates, scores, settings.key_points, exclude=summary_index, needs=needs)
    points = tuple(
        KeyPoint(
            candidates[i].text, candidates[i].paragraph, _unnamed_speaker(candidates[i].text, speakers.get(eligible[i]))
        )
        for i in sorted(chosen)
    )
    return Brief(summary=summary, key_points=points)


def summarize_story(articles: Sequence[Article], briefs: Mapping[str, Brief], limit: int = 6) -> tuple[StoryFact, ...]:
    """A briefing across a story's articles: each fact once, with every article that states it.

    The facts are the articles' own summaries and key points, taken in turn from each article;
    a sentence that shares most of its words with one already taken is the same fact. Its sources
    are all the articles with such a sentence anywhere in their text.
    """

    def words(text: str) -> set[str]:
        return set(_TOKEN.findall(text.lower()))

    def same(a: set[str], b: set[str]) -> bool:
        # Two sets of which one is over twice the size of the other cannot share half their union.
        if len(a) > 2 * len(b) or len(b) > 2 * len(a):
            return False
        # |a & b| / |a | b| >= 1/2, with |a | b| = |a| + |b| - |a & b|: no union to build.
        shared = len(a & b)
        return shared > 0 and 3 * shared >= len(a) + len(b)

    lines = [[(briefs[a.id].summary, a.id), *((p.text, a.id) for p in briefs[a.id].key_points)] for a in articles]
    in_turn = [own[rank] for rank in range(max(map(len, lines), default=0)) for own in lines if rank < len(own)]
    facts: list[tuple[str, set[str], str]] = []
    for line, origin in in_turn:
        bag = words(line)
        if line and not any(same(bag, taken) for _, taken, _ in facts):
            facts.append((line, bag, origin))
            if len(facts) == limit:
                break
    texts = {a.id: [words(s.text) for s in a.sentences] for a in articles}
    # A summary may be a sentence's main clause (see summarize_article): its article states it all the same.
    return tuple(
        StoryFact(text, tuple(a.id for a in articles if a.id == origin or any(same(bag, s) for s in texts[a.id])))
        for text, bag, origin in facts
    )


def stands_alone(text: str, after_previous: bool = False, speaker: str | None = None) -> bool:
    """A sentence a reader understands without the one before: whole, declarative, quotes balanced.

    `after_previous`: shown right after the sentence before it, so an opening "But" or "He" is clear.
    `speaker`: who the extract stage found saying the quotation the sentence opens with, shown beside it.
    """
    words = text.split()
    if len(words) < 6 or len(words) > 60:
        return False
    if text.rstrip(_CLOSE_QUOTES + ")").endswith("?") or not re.search(r"[.!][”’\"')]*$", text):
        return False
    if text[0].islower() or (_NEEDS_CONTEXT.match(text) and not _NO_ANTECEDENT.match(text) and not after_previous):
        return False
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return False
    if text[0] in _OPEN_QUOTES and not (speaker or _ATTRIBUTED.search(text)):
        return False
    return after_previous or not re.match(r"^[A-Z][\w.]* (?:added|continued|went on)\b", text)


def _one_line(text: str, shorten: Shortener, max_words: int) -> str | None:
    """`text` shortened for the one-line summary, if what is left fits, stands alone and is no quotation."""
    short = shorten(text)
    if short and len(short.split()) <= max_words and short[0] not in _OPEN_QUOTES and stands_alone(short):
        return short
    return None


def _quote_speakers(article: Article, sentences: Sequence[Sentence]) -> dict[int, str]:
    """Sentences opening with a quotation whose speaker the extract stage found, by index."""
    named = [quote for quote in article.quotes if quote.speaker]
    return {
        i: quote.speaker
        for i, sentence in enumerate(sentences)
        if sentence.text[0] in _OPEN_QUOTES
        for quote in named
        if quote.paragraph == sentence.paragraph and sentence.text.lstrip(_OPEN_QUOTES).startswith(quote.text[:40])
    }


def _unnamed_speaker(text: str, speaker: str | None) -> str | None:
    """The speaker to show beside a key point, unless the sentence already names them."""
    return speaker if speaker and speaker.split()[-1] not in text else None


def _scores(texts: list[str]) -> np.ndarray:
    """TextRank centrality plus a lead prior, both scaled to 0..1.

    Two sentences are as similar as the words they share, each occurrence counted as ROUGE counts it
    and a function word at FUNCTION_WORD_WEIGHT, over the log of their sizes: unlike a cosine, a long
    sentence that restates much of the article keeps the weight of what it shares.
    """
    n = len(texts)
    lead = 1.0 / np.sqrt(np.arange(1, n + 1))
    if n < 3:
        return lead
    # The k-th occurrence of a word is a feature of its own: a product of 0/1 rows counts min(k_i, k_j).
    # On a few dozen sentences sklearn's vectorizers cost more in checks than the counting itself.
    counts = [Counter(_TOKEN.findall(text.lower())) for text in texts]
    vocabulary: dict[tuple[str, int], int] = {}
    columns = [
        [vocabulary.setdefault((w, k), len(vocabulary)) for w, c in bag.items() for k in range(c)] for bag in counts
    ]
    occurrences = np.zeros((n, len(vocabulary)))
    occurrences[np.repeat(np.arange(n), [len(row) for row in columns]), [c for row in columns for c in row]] = 1.0
    # A content word counts 1, a function word FUNCTION_WORD_WEIGHT, a one-letter token ("s", "5") nothing.
    function_words = stop_words()
    weight = np.array(
        [0.0 if len(w) < 2 else FUNCTION_WORD_WEIGHT if w in function_words else 1.0 for w, _ in vocabulary]
    )
    size = np.log1p(occurrences @ weight)[:, None]
    similarity = (occurrences * weight) @ occurrences.T / np.maximum(size + size.T, 1e-9)
    np.fill_diagonal(similarity, 0.0)
    rows = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, rows, out=np.full_like(similarity, 1.0 / n), where=rows > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(50):
        rank = (1 - DAMPING) / n + DAMPING * transition.T @ rank
    rank = rank / rank.max()
    return (1 - LEAD_WEIGHT) * rank + LEAD_WEIGHT * lead


def _mmr(
    candidates: list[Sentence], scores: np.ndarray, count: int, exclude: int, needs: Mapping[int, int]
) -> list[int]:
    """Pick sentences one at a time, each the best trade of score against overlap with those picked.

    A sentence in `needs` can be picked only once the key point before it is.
    """
    tokens = [set(re.findall(r"\w+", s.text.lower())) for s in candidates]
    picked = [exclude]
    while len(picked) < count + 1:
        best, best_value = None, -np.inf
        for i in range(len(candidates)):
            if i in picked or (i in needs and needs[i] not in picked[1:]):
                continue
            overlap = max(len(tokens[i] & tokens[j]) / max(1, len(tokens[i] | tokens[j])) for j in picked)
            value = REDUNDANCY * scores[i] - (1 - REDUNDANCY) * overlap
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        picked.append(best)
    return [i for i in picked if i != exclude]
