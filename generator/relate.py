"""Stage 5, relate: all articles -> Relations (versions, stories, storylines, related reading).

Versions are near-duplicates: MinHash LSH over word shingles proposes candidates in time that grows
with the corpus, not its square, and a sentence-by-sentence comparison confirms them. Stories join
articles about one happening (similar words and word pairs, the same numbers and days, close in
time); storylines join stories about one subject over time (similar text, shared names). Both are
average-link clusterings over a sparse graph that holds each article's nearest neighbours only, so
memory and time grow about linearly.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import heapq
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date as Date

import numpy as np
from datasketch import MinHash, MinHashLSH
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

from generator.model import Article, DateEvidence, Related, Relations, Sentence, Story, Storyline
from generator.text import markdown_to_plain, slugify

SHINGLE = 5
NUM_PERM = 128
LSH_BANDS = 32
"""LSH bands of one signature value each: two articles are candidates when any of the first 32 values
agree, so a pair with shingle Jaccard 0.15 (seeds 000 and 003, an article and its update) is found
with probability 0.995, where bands of two values over the same signature find it about half the time."""
CANDIDATE_CONTAINMENT = 0.2
"""Share of the shorter article's shingles estimated to be in the other, below which an LSH candidate is
not compared sentence by sentence: versions share most of the shorter text (seeds 000/003: 0.34), two
articles that quote one paragraph of the same source share a little of it."""
VERSION_OVERLAP = 0.3
"""Share of the shorter article's sentences found again in the other for the two to be versions."""
VERSION_MIN_SHARED = 3
"""Sentences two versions must share at least: one stock phrase does not make a version."""
SENTENCE_MATCH = 0.6
"""Word Jaccard above which two sentences count as the same sentence, edited or not."""
NEIGHBOURS = 30
"""Nearest articles kept per article: the graph the clusterings and related reading work on."""
MIN_SIMILARITY = 0.05
TEXT_WEIGHT = 0.8
"""Share of the TF-IDF cosine over words and word pairs in the similarity; the rest is the cosine of
the facts (numbers, dates, weekdays), which tell two happenings of one kind apart: two earthquakes
share their words but not their magnitude, death toll or day."""
HASH_FEATURES = 2**22
"""Hashed feature space: no vocabulary held in memory, however large the corpus; large enough that
two rare words seldom share a feature (which would make them look shared by two articles)."""
STORY_SIMILARITY = 0.16
"""Average similarity at which articles are one story (measured on ECB+, each half by topic: same
event median about 0.3, the look-alike event of the same topic about 0.1)."""
STORY_DAYS = 14
"""Two groups are one story only if most of their dates lie within this many days of each other:
coverage of one event spans days."""
FAR_DATES_SIMILARITY = 0.25
"""Average similarity at which groups are one story whatever their dates: a date found in the text
can be one the article looks back to."""
STORYLINE_SIMILARITY = 0.05
"""Average subject similarity at which stories are one storyline: one subject, told over months."""
NAME_WEIGHT = 0.2
"""Share of the overlap of named people, places and organisations in the similarity of storylines:
stories on one subject name the same ones."""

Graph = dict[int, dict[int, float]]


@dataclass(frozen=True, slots=True)
class _Profile:
    article: Article
    tokens: tuple[str, ...]
    text: str
    """Headline and body as plain text."""
    names: frozenset[str]
    day: Date | None


def relate_articles(
    articles: Sequence[Article], related_count: int = 5, signatures: Mapping[str, tuple[int, ...]] | None = None
) -> Relations:
    """Versions, stories, storylines and related reading for the whole corpus.

    `signatures` are the articles' MinHash signatures where already known (they are cached with
    the per-article results); the others are computed here.
    """
    ordered = sorted(articles, key=lambda a: a.id)
    profiles = [_profile(a) for a in ordered]
    versions = version_groups(profiles, signatures or {})
    dates = _shared_dates(ordered, versions)
    profiles = [replace(p, day=_day(dates[p.article.id])) for p in profiles]
    graph = _neighbour_graph(profiles)
    stories = _stories(profiles, versions, graph)
    stories, storylines = _storylines(stories, profiles, graph)
    return Relations(
        stories=tuple(stories),
        storylines=tuple(storylines),
        related=_related(profiles, graph, versions, related_count),
        dates=tuple(sorted(dates.items())),
    )


def _profile(article: Article) -> _Profile:
    names = frozenset(e.name for e in article.entities if e.kind in ("person", "place", "organization", "event"))
    paragraphs = [markdown_to_plain(p) for p in article.paragraphs]
    return _Profile(article, _tokens(paragraphs), "\n".join([article.title, *paragraphs]), names, _day(article.date))


_NUMBER = re.compile(r"\d+(?:[.,:/-]\d+)*")
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH)
_WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
_UP_TO_TEN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_UP_TO_TWENTY = (
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
)
_NUMBER_WORDS = {word: str(value) for value, word in enumerate(_UP_TO_TEN + _UP_TO_TWENTY)}


def facts(text: str) -> tuple[str, ...]:
    """The numbers, days of the month and weekdays a text names, in one spelling each.

    Numbers keep their shape ("5.6", "31-24", "9:27"), so a magnitude or a score stays one token;
    "Nov. 27" and "27 November" both become "nov-27"; "five" becomes "5".
    """
    lower = text.lower()
    found = [f"{m[1]}-{int(m[2])}" for m in _MONTH_DAY.finditer(lower)]
    found += [f"{m[2]}-{int(m[1])}" for m in _DAY_MONTH.finditer(lower)]
    found += _NUMBER.findall(lower)
    for word in re.findall(r"[a-z]+", lower):
        if word in _WEEKDAYS:
            found.append(word)
        elif word in _NUMBER_WORDS:
            found.append(_NUMBER_WORDS[word])
    return tuple(found)


def _day(evidence: DateEvidence) -> Date | None:
    return Date.fromisoformat(evidence.date) if evidence.date else None


@functools.lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    """Kept for the most frequent words: a corpus repeats its words far more often than it adds new ones."""
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big")


def _tokens(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """The words of the plain paragraphs, lower case: what shingles are made of."""
    return tuple(re.findall(r"\w+", " ".join(paragraphs).lower()))


def shingle_hashes(tokens: Sequence[str]) -> np.ndarray:
    """One 32-bit hash per run of SHINGLE words, combined from the words' hashes in numpy.

    Hashing each word once and combining in arrays is several times faster than hashing every
    shingle's text, which was most of the version search at a hundred thousand articles; the
    combination (multiply by an odd constant, then xor) depends on word order.
    """
    words = np.fromiter((_word_hash(t) for t in tokens), dtype=np.uint32, count=len(tokens))
    count = _shingle_count(tokens) if tokens else 0
    hashes = np.zeros(count, dtype=np.uint32)
    for offset in range(min(SHINGLE, len(words))):
        hashes = (hashes * _SHINGLE_MULTIPLIER) ^ words[offset : offset + count]
    return hashes


_SHINGLE_MULTIPLIER = np.uint32(0x01000193)
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations
"""Drawn once: a MinHash made without them draws its own, which costs more than hashing an article."""


def _new_minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    """Its inputs are shingle hashes already, so its hash function is the identity."""
    return MinHash(
        num_perm=NUM_PERM,
        seed=1,
        hashfunc=int,
        hashvalues=hashvalues,
        permutations=_PERMUTATIONS,
        scheme="affine32",
    )


def _minhash(tokens: Sequence[str]) -> MinHash:
    signature = _new_minhash()
    signature.update_batch(shingle_hashes(tokens).tolist())
    return signature


def shingle_signature(article: Article) -> tuple[int, ...]:
    """The article's MinHash signature over word shingles: a per-article result, so it can be cached."""
    tokens = _tokens([markdown_to_plain(p) for p in article.paragraphs])
    return tuple(int(value) for value in _minhash(tokens).hashvalues)


def _sentence_words(article: Article) -> tuple[frozenset[str], ...]:
    """Word sets of the article's sentences of five words or more."""
    return _words_of(article.sentences)


@functools.lru_cache(maxsize=4096)
def _words_of(sentences: tuple[Sentence, ...]) -> tuple[frozenset[str], ...]:
    """Kept for the articles checked most recently: one article is checked against each of its candidates."""
    return tuple(frozenset(re.findall(r"\w+", s.text.lower())) for s in sentences if len(s.text.split()) >= 5)


def are_versions(first: Article, second: Article) -> bool:
    """Enough sentences of the shorter article are found, verbatim or edited, in the longer one."""
    a, b = _sentence_words(first), _sentence_words(second)
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)

    def enough(matched: int) -> bool:
        return matched >= min(VERSION_MIN_SHARED, len(shorter)) and matched / len(shorter) >= VERSION_OVERLAP

    verbatim = set(longer)
    matched = 0
    for checked, s in enumerate(shorter, start=1):
        if s in verbatim or any(_same_sentence(s, t) for t in longer):
            matched += 1
            if enough(matched):
                return True
        elif not enough(matched + len(shorter) - checked):
            return False
    return False


def _same_sentence(first: frozenset[str], second: frozenset[str]) -> bool:
    """Word Jaccard at least SENTENCE_MATCH, without building the union (its size follows from the intersection's)."""
    shared = len(first & second)
    return shared >= SENTENCE_MATCH * (len(first) + len(second) - shared)


def version_groups(profiles: Sequence[_Profile], known: Mapping[str, tuple[int, ...]]) -> list[list[str]]:
    """Connected groups of confirmed version pairs; every article is in exactly one group."""
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(LSH_BANDS, 1))
    minhashes = {}
    for p in profiles:
        cached = known.get(p.article.id)
        minhash = (
            _new_minhash(np.array(cached, dtype=np.uint32))
            if cached and len(cached) == NUM_PERM
            else _minhash(p.tokens)
        )
        minhashes[p.article.id] = minhash
        lsh.insert(p.article.id, minhash, check_duplication=False)
    by_id = {p.article.id: p.article for p in profiles}
    shingles = {p.article.id: _shingle_count(p.tokens) for p in profiles}
    parent = {p.article.id: p.article.id for p in profiles}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in profiles:
        article_id = p.article.id
        for other in sorted(lsh.query(minhashes[article_id])):
            if (
                other > article_id
                and _containment(minhashes[article_id], minhashes[other], shingles[article_id], shingles[other])
                >= CANDIDATE_CONTAINMENT
                and root(other) != root(article_id)
                and are_versions(p.article, by_id[other])
            ):
                parent[root(other)] = root(article_id)
    groups: dict[str, list[str]] = {}
    for p in profiles:
        groups.setdefault(root(p.article.id), []).append(p.article.id)
    return [_version_order(group, by_id) for group in groups.values()]


def _shingle_count(tokens: Sequence[str]) -> int:
    return max(1, len(tokens) - SHINGLE + 1)


def _containment(first: MinHash, second: MinHash, first_size: int, second_size: int) -> float:
    """Estimated share of the smaller shingle set found in the other, from the estimated Jaccard and the set sizes."""
    jaccard = first.jaccard(second)
    return jaccard * (first_size + second_size) / ((1 + jaccard) * min(first_size, second_size))


def _version_order(group: list[str], by_id: dict[str, Article]) -> list[str]:
    """Earlier to later: by date where known; a 'developing story' comes before its update; then longer is later."""

    def key(article_id: str) -> tuple:
        article = by_id[article_id]
        return (article.date.date or "9999", not article.developing, len(article.sentences), article_id)

    return sorted(group, key=key)


def _shared_dates(articles: list[Article], versions: list[list[str]]) -> dict[str, DateEvidence]:
    """Versions of one article share their date evidence: the surest date among them."""
    by_id = {a.id: a for a in articles}
    dates = {a.id: a.date for a in articles}
    for group in versions:
        sure = [by_id[i] for i in group if by_id[i].date.date and not by_id[i].date.uncertain]
        if not sure:
            continue
        best = sure[0]
        for article_id in group:
            own = by_id[article_id].date
            if article_id != best.id and (own.date is None or own.uncertain):
                dates[article_id] = DateEvidence(
                    best.date.date, f"from another version of this article ({best.date.evidence})"
                )
    return dates


def _tfidf(counts: sparse.csr_matrix, min_df: int, max_df: float) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows of unit length, leaving out features in fewer than min_df or more than
    max_df of the documents (a word of one article links nothing; one of most links everything)."""
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = (df >= min_df) & (df <= max_df * counts.shape[0])
    kept = counts.tocsr(copy=True)
    kept.data = kept.data * keep[kept.indices]
    kept.eliminate_zeros()
    return TfidfTransformer(sublinear_tf=True).fit_transform(kept).tocsr()


def _vectors(profiles: list[_Profile]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """TF-IDF of words and word pairs ("sixth round", "Tony Thompson"), and of facts, hashed."""
    large = len(profiles) >= 50
    min_df, max_df = (2, 0.5) if large else (1, 1.0)
    words = HashingVectorizer(
        ngram_range=(1, 2), stop_words="english", n_features=HASH_FEATURES, alternate_sign=False, norm=None
    ).transform(p.text for p in profiles)
    numbers = HashingVectorizer(
        analyzer=lambda found: found, n_features=HASH_FEATURES, alternate_sign=False, norm=None
    ).transform(facts(p.text) for p in profiles)
    return _tfidf(words, min_df, max_df), _tfidf(numbers, min_df, max_df)


def _neighbour_graph(profiles: list[_Profile]) -> Graph:
    """Each article's nearest neighbours by TF-IDF cosine of the text blended with that of the facts;
    symmetric, sparse."""
    n = len(profiles)
    graph: Graph = {i: {} for i in range(n)}
    if n < 2:
        return graph
    words, numbers = _vectors(profiles)
    for start in range(0, n, 1000):
        block = TEXT_WEIGHT * (words[start : start + 1000] @ words.T) + (1 - TEXT_WEIGHT) * (
            numbers[start : start + 1000] @ numbers.T
        )
        block = block.toarray()
        for row, similarities in enumerate(block):
            i = start + row
            similarities[i] = 0.0
            nearest = np.argpartition(-similarities, min(NEIGHBOURS, n - 1) - 1)[:NEIGHBOURS]
            for j in nearest:
                if similarities[j] >= MIN_SIMILARITY:
                    graph[i][int(j)] = graph[int(j)][i] = round(float(similarities[j]), 6)
    return graph


def _average_link(
    groups: list[list[int]],
    graph: Graph,
    threshold: float,
    allowed: Callable[[list[int], list[int], float], bool],
) -> list[list[int]]:
    """Merge the two groups with the highest average similarity while it reaches the threshold and
    `allowed(first, second, average)` agrees.

    Pairs of articles that are not neighbours count as 0, so only edges of the graph are summed.
    """
    members = {c: list(g) for c, g in enumerate(groups)}
    cluster_of = {i: c for c, g in members.items() for i in g}
    sums: dict[int, dict[int, float]] = {c: {} for c in members}
    for i, edges in graph.items():
        for j, similarity in edges.items():
            a, b = cluster_of[i], cluster_of[j]
            if a != b and i < j:
                sums[a][b] = sums[a].get(b, 0.0) + similarity
                sums[b][a] = sums[b].get(a, 0.0) + similarity

    def average(a: int, b: int) -> float:
        return sums[a][b] / (len(members[a]) * len(members[b]))

    heap = [(-average(a, b), a, b) for a in sums for b in sums[a] if a < b]
    heapq.heapify(heap)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if a not in members or b not in members or b not in sums[a] or -negative != average(a, b):
            continue
        if -negative < threshold:
            break
        if not allowed(members[a], members[b], -negative):
            continue
        members[a] += members.pop(b)
        for c, value in sums.pop(b).items():
            del sums[c][b]
            if c != a:
                sums[a][c] = sums[a].get(c, 0.0) + value
                sums[c][a] = sums[a][c]
        sums[a].pop(b, None)
        for c in sums[a]:
            heapq.heappush(heap, (-average(a, c), min(a, c), max(a, c)))
    return sorted((sorted(g) for g in members.values()), key=lambda g: g[0])


def _stories(profiles: list[_Profile], versions: list[list[str]], graph: Graph) -> list[Story]:
    index = {p.article.id: i for i, p in enumerate(profiles)}

    def within_days(x: list[int], y: list[int], similarity: float) -> bool:
        return similarity >= FAR_DATES_SIMILARITY or _mostly_close(
            _ordinals(profiles, x), _ordinals(profiles, y), STORY_DAYS
        )

    groups = [[index[i] for i in group] for group in versions]
    clusters = _average_link(groups, graph, STORY_SIMILARITY, within_days)
    version_of = {article_id: tuple(group) for group in versions for article_id in group}
    stories = []
    for cluster in clusters:
        members = sorted((profiles[i] for i in cluster), key=lambda p: (str(p.day or "9999"), p.article.id))
        ids = tuple(p.article.id for p in members)
        day = next((p.day for p in members if p.day), None)
        lead = members[0].article
        stories.append(
            Story(
                id=slugify(f"{day or 'undated'}-{lead.title}", 80),
                title=lead.title,
                articles=ids,
                versions=tuple(dict.fromkeys(version_of[i] for i in ids)),
                date=day.isoformat() if day else None,
                storyline="",
            )
        )
    return _unique_story_ids(stories)


def _ordinals(profiles: list[_Profile], group: list[int]) -> list[int]:
    return sorted(profiles[i].day.toordinal() for i in group if profiles[i].day)


def _mostly_close(first: list[int], second: list[int], days: int) -> bool:
    """Whether at least half the pairs of dates across two sorted lists lie within `days`.

    Half, not all: an article dated by a day it looks back to must not keep its story apart.
    """
    if not first or not second:
        return True
    close = sum(bisect.bisect_right(second, day + days) - bisect.bisect_left(second, day - days) for day in first)
    return 2 * close >= len(first) * len(second)


def _unique_story_ids(stories: list[Story]) -> list[Story]:
    seen: dict[str, int] = {}
    unique = []
    for story in sorted(stories, key=lambda s: (s.id, s.articles)):
        count = seen.get(story.id, 0)
        seen[story.id] = count + 1
        unique.append(story if count == 0 else replace(story, id=f"{story.id}-{count + 1}"))
    return unique


def _storylines(stories: list[Story], profiles: list[_Profile], graph: Graph) -> tuple[list[Story], list[Storyline]]:
    """Stories about one subject, whatever their dates, joined and put in time order."""
    index = {p.article.id: i for i, p in enumerate(profiles)}
    groups = [[index[a] for a in story.articles] for story in stories]
    subject = {
        i: {j: _subject_similarity(value, profiles[i], profiles[j]) for j, value in edges.items()}
        for i, edges in graph.items()
    }
    merged = _average_link(groups, subject, STORYLINE_SIMILARITY, lambda x, y, s: True)
    story_of = {a: story for story in stories for a in story.articles}
    storylines = []
    for group in merged:
        members = sorted({story_of[profiles[i].article.id] for i in group}, key=lambda s: (s.date or "9999", s.id))
        storylines.append(
            Storyline(id=f"storyline-{members[0].id}", title=members[0].title, stories=tuple(s.id for s in members))
        )
    storylines.sort(key=lambda s: s.id)
    line_of = {story_id: line.id for line in storylines for story_id in line.stories}
    return [replace(s, storyline=line_of[s.id]) for s in stories], storylines


def _subject_similarity(similarity: float, first: _Profile, second: _Profile) -> float:
    """The text similarity blended with the Jaccard overlap of the two articles' names."""
    union = first.names | second.names
    overlap = len(first.names & second.names) / len(union) if union else 0.0
    return (1 - NAME_WEIGHT) * similarity + NAME_WEIGHT * overlap


def _related(
    profiles: list[_Profile], graph: Graph, versions: list[list[str]], count: int
) -> tuple[tuple[str, tuple[Related, ...]], ...]:
    """The nearest articles that are not versions of this one, each with its reason."""
    version_of = {article_id: set(group) for group in versions for article_id in group}
    result = []
    for i, p in enumerate(profiles):
        scored = sorted(
            (
                (similarity, profiles[j].article.id, j)
                for j, similarity in graph[i].items()
                if profiles[j].article.id not in version_of[p.article.id]
            ),
            key=lambda item: (-item[0], item[1]),
        )
        related = tuple(
            Related(target, round(score, 3), _reason(p, profiles[j])) for score, target, j in scored[:count]
        )
        result.append((p.article.id, related))
    return tuple(result)


def _reason(a: _Profile, b: _Profile) -> str:
    shared = [e.name for e in a.article.entities if e.name in b.names and e.kind in ("person", "place", "organization")]
    parts = []
    if shared:
        parts.append("shares " + ", ".join(shared[:3]))
    if a.day and b.day:
        days = (b.day - a.day).days
        months = round(days / 30.4)
        if abs(days) <= 7:
            parts.append("same week")
        elif abs(days) < 31:
            parts.append(f"{abs(days)} days {'later' if days > 0 else 'earlier'}")
        else:
            parts.append(f"{abs(months)} months {'later' if months > 0 else 'earlier'}")
    return "; ".join(parts) or "similar wording"
