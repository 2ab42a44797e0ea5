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
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date as Date
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from generator.forked import fork_map
from generator.model import Article, ArticleFeatures, DateEvidence, Related, Relations, Story, Storyline
from generator.text import markdown_to_plain, slugify

if TYPE_CHECKING:
    from datasketch import MinHash
    from sklearn.feature_extraction.text import HashingVectorizer

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
CANDIDATE_BLOCK = 1000
"""Articles whose LSH candidates are listed and estimated at once: bounds the memory the pairs take."""
PAIR_BLOCK = 500_000
"""Candidate pairs whose sentences are looked up at once, for the same reason."""
VERSION_OVERLAP = 0.3
"""Share of the shorter article's sentences found again in the other for the two to be versions."""
VERSION_MIN_SHARED = 3
"""Sentences two versions must share at least: one stock phrase does not make a version."""
SENTENCE_MATCH = 0.6
"""Word Jaccard above which two sentences count as the same sentence, edited or not."""
NEIGHBOURS = 30
"""Nearest articles kept per article: the graph the clusterings and related reading work on."""
SIMILARITY_BLOCK = 4_000_000
"""Pair similarities held at once while the neighbours are found (32 MB): bounds the memory, whatever the corpus."""
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
    features: ArticleFeatures
    names: frozenset[str]
    day: Date | None


def relate_articles(
    articles: Sequence[Article],
    related_count: int = 5,
    features: Mapping[str, ArticleFeatures] | None = None,
    workers: int = 1,
) -> Relations:
    """Versions, stories, storylines and related reading for the whole corpus.

    `features` are the articles' `article_features` where already known (they are cached with the
    per-article results); the others are worked out here. `workers`: processes for the similarities.
    """
    ordered = sorted(articles, key=lambda a: a.id)
    known = features or {}
    missing = [a for a in ordered if a.id not in known]
    worked_out = dict(zip((a.id for a in missing), article_features(missing), strict=True))
    profiles = [_profile(a, known.get(a.id) or worked_out[a.id]) for a in ordered]
    versions = version_groups(profiles)
    dates = _shared_dates(ordered, versions)
    profiles = [replace(p, day=_day(dates[p.article.id])) for p in profiles]
    graph = _neighbour_graph(profiles, workers)
    stories = _stories(profiles, versions, graph)
    stories, storylines = _storylines(stories, profiles, graph)
    return Relations(
        stories=tuple(stories),
        storylines=tuple(storylines),
        related=_related(profiles, graph, versions, related_count),
        dates=tuple(sorted(dates.items())),
    )


def _profile(article: Article, features: ArticleFeatures) -> _Profile:
    names = frozenset(e.name for e in article.entities if e.kind in ("person", "place", "organization", "event"))
    return _Profile(article, features, names, _day(article.date))


@functools.cache
def feature_hashers() -> tuple[HashingVectorizer, HashingVectorizer]:
    """The hashed word and fact counters, made on first use: scikit-learn is imported only by a build that relates."""
    from sklearn.feature_extraction.text import HashingVectorizer

    words = HashingVectorizer(
        ngram_range=(1, 2), stop_words="english", n_features=HASH_FEATURES, alternate_sign=False, norm=None
    )
    facts = HashingVectorizer(analyzer=lambda found: found, n_features=HASH_FEATURES, alternate_sign=False, norm=None)
    return words, facts


def article_features(articles: Sequence[Article]) -> list[ArticleFeatures]:
    """Each article's shingle signature and hashed word and fact counts: they depend on that article
    alone, so a build works them out in the per-article stage and caches them."""
    if not articles:
        return []
    plains = [[markdown_to_plain(p) for p in a.paragraphs] for a in articles]
    texts = ["\n".join([a.title, *paragraphs]) for a, paragraphs in zip(articles, plains, strict=True)]
    word_hasher, fact_hasher = feature_hashers()
    words = word_hasher.transform(texts)
    numbers = fact_hasher.transform(facts(text) for text in texts)
    words.sort_indices()
    numbers.sort_indices()
    found = []
    for row, paragraphs in enumerate(plains):
        tokens = _tokens(paragraphs)
        found.append(
            ArticleFeatures(
                tuple(int(value) for value in _minhash(tokens).hashvalues),
                _shingle_count(tokens),
                *_row(words, row),
                *_row(numbers, row),
            )
        )
    return found


def _row(counts: sparse.csr_matrix, row: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """One row's sorted columns and their counts."""
    start, end = counts.indptr[row], counts.indptr[row + 1]
    return tuple(counts.indices[start:end].tolist()), tuple(counts.data[start:end].astype(np.int64).tolist())


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


_WORD = re.compile(r"\w+")


def _tokens(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """The words of the plain paragraphs, lower case: what shingles are made of."""
    return tuple(_WORD.findall(" ".join(paragraphs).lower()))


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


@functools.cache
def minhash_permutations() -> np.ndarray:
    """Drawn once: a MinHash made without them draws its own, which costs more than hashing an article.

    datasketch is imported here, on first use: its package imports SciPy's integrators (0.45 s of a start).
    """
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32").permutations


def _minhash(tokens: Sequence[str]) -> MinHash:
    """datasketch's MinHash of the tokens' shingles; its inputs are hashes already, so it hashes with the identity."""
    from datasketch import MinHash

    signature = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int, permutations=minhash_permutations(), scheme="affine32")
    signature.update_batch(shingle_hashes(tokens).tolist())
    return signature


def _signatures(profiles: Sequence[_Profile]) -> np.ndarray:
    """Every article's signature, one row each."""
    signatures = np.empty((len(profiles), NUM_PERM), dtype=np.uint32)
    for row, p in enumerate(profiles):
        signatures[row] = p.features.signature
    return signatures


def _word_set(sentence: str) -> frozenset[str] | None:
    """The words of a sentence of five words or more; None for a shorter one, which says too little."""
    return frozenset(_WORD.findall(sentence.lower())) if len(sentence.split()) >= 5 else None


@dataclass(frozen=True, slots=True)
class _SentenceIndex:
    """The articles' sentences of five words or more as numbers of distinct word sets."""

    word_sets: list[frozenset[str]]
    numbers: np.ndarray
    """The word-set number of each sentence, article after article, in sentence order."""
    starts: np.ndarray
    """Article i's sentences are numbers[starts[i] : starts[i + 1]]."""


def _sentence_index(articles: Sequence[Article]) -> _SentenceIndex:
    """A sentence text met before is not split into words again: versions and wire copies repeat theirs."""
    number_of_text: dict[str, int | None] = {}
    number_of_set: dict[frozenset[str], int] = {}
    numbers: list[int] = []
    counts = np.zeros(len(articles), dtype=np.int64)
    for row, article in enumerate(articles):
        for sentence in article.sentences:
            if sentence.text not in number_of_text:
                words = _word_set(sentence.text)
                number_of_text[sentence.text] = (
                    None if words is None else number_of_set.setdefault(words, len(number_of_set))
                )
            number = number_of_text[sentence.text]
            if number is not None:
                numbers.append(number)
                counts[row] += 1
    return _SentenceIndex(
        list(number_of_set), np.array(numbers, dtype=np.int64), np.concatenate(([0], np.cumsum(counts)))
    )


def _similar_sentences(word_sets: Sequence[frozenset[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of distinct word sets whose word Jaccard is at least SENTENCE_MATCH.

    Written by hand, as no library at hand does an exact set-similarity join. Two such sets of n and
    m words share at least ceil(SENTENCE_MATCH * n) words, so with each set's words ordered rarest
    first, the first n - ceil(SENTENCE_MATCH * n) + 2 of one and the like of the other hold two
    shared words (prefix filtering): only sets that share such a pair of words are compared. A set
    of one word is like no other set.
    """
    count = len(word_sets)
    vocabulary: dict[str, int] = {}
    sizes = np.array([len(words) for words in word_sets], dtype=np.int64)
    words = np.fromiter(
        (vocabulary.setdefault(w, len(vocabulary)) for ws in word_sets for w in sorted(ws)),
        dtype=np.int64,
        count=int(sizes.sum()),
    )
    owner = np.repeat(np.arange(count), sizes)
    frequency = np.bincount(words, minlength=len(vocabulary))
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[np.lexsort((np.arange(len(vocabulary)), frequency))] = np.arange(len(vocabulary))
    ranks = rank[words][np.lexsort((rank[words], owner))]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    required = np.ceil(SENTENCE_MATCH * sizes - 1e-9).astype(np.int64)
    prefix = np.where(sizes >= 2, np.minimum(sizes, sizes - required + 2), 0)
    key_counts = prefix * (prefix - 1) // 2
    later, earlier = np.nonzero(np.tril(np.ones((int(prefix.max(initial=0)),) * 2, dtype=bool), -1))
    key_owner = np.repeat(np.arange(count), key_counts)
    within = np.arange(int(key_counts.sum())) - np.repeat(np.cumsum(key_counts) - key_counts, key_counts)
    base = starts[key_owner]
    keys = ranks[base + earlier[within]] * len(vocabulary) + ranks[base + later[within]]
    order = np.lexsort((key_owner, keys))
    first, second = _pairs_within_groups(keys[order], key_owner[order])
    close_sizes = np.minimum(sizes[first], sizes[second]) >= SENTENCE_MATCH * np.maximum(sizes[first], sizes[second])
    unique = np.unique(first[close_sizes] * count + second[close_sizes])
    first, second = unique // count, unique % count
    pairs = zip(first.tolist(), second.tolist(), strict=True)
    shared = np.array([len(word_sets[i] & word_sets[j]) for i, j in pairs], dtype=np.int64)
    same = shared >= SENTENCE_MATCH * (sizes[first] + sizes[second] - shared)
    return first[same], second[same]


def _pairs_within_groups(keys: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (members[i], members[j]), i < j, of positions with the same key; keys sorted."""
    boundaries = np.flatnonzero(np.diff(keys)) + 1
    ends = np.concatenate((boundaries, [len(keys)]))
    group_sizes = np.diff(np.concatenate(([0], ends)))
    partners = np.repeat(ends, group_sizes) - np.arange(len(keys)) - 1
    position = np.repeat(np.arange(len(keys)), partners)
    offset = np.arange(int(partners.sum())) - np.repeat(np.cumsum(partners) - partners, partners)
    return members[position], members[position + 1 + offset]


def version_overlaps(articles: Sequence[Article], first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """For every pair k, the share of the shorter article's sentences the longer one holds, itself or
    edited (0 when fewer than VERSION_MIN_SHARED are): two articles whose overlap is at least
    VERSION_OVERLAP are versions of one article.

    Each distinct sentence of the articles in the pairs is split into words once and compared with
    the sentences like it once; a pair then only counts the sentences of its shorter article that
    the longer one holds, themselves or one like them.
    """
    involved, positions = np.unique(np.concatenate((first, second)), return_inverse=True)
    first, second = positions[: len(first)], positions[len(first) :]
    index = _sentence_index([articles[i] for i in involved])
    count = len(index.word_sets)
    like_first, like_second = _similar_sentences(index.word_sets)
    own = np.arange(count)
    like = sparse.csr_matrix(
        (
            np.ones(count + 2 * len(like_first), dtype=np.int8),
            (np.concatenate((own, like_first, like_second)), np.concatenate((own, like_second, like_first))),
        ),
        shape=(count, count),
    )
    lengths = np.diff(index.starts)
    holds = sparse.csr_matrix(
        (np.ones(len(index.numbers), dtype=np.int8), (np.repeat(np.arange(len(involved)), lengths), index.numbers)),
        shape=(len(involved), count),
    )
    holds_or_like = (holds @ like).astype(bool).tocsr()
    first_shorter = lengths[first] <= lengths[second]
    shorter = np.where(first_shorter, first, second)
    longer = np.where(first_shorter, second, first)
    matched = np.zeros(len(first), dtype=np.int64)
    for start in range(0, len(first), PAIR_BLOCK):
        block = slice(start, start + PAIR_BLOCK)
        sentences = lengths[shorter[block]]
        pair = np.repeat(np.arange(len(sentences)), sentences)
        position = np.arange(int(sentences.sum())) - np.repeat(np.cumsum(sentences) - sentences, sentences)
        numbers = index.numbers[index.starts[shorter[block]][pair] + position]
        found = np.asarray(holds_or_like[longer[block][pair], numbers]).ravel()
        matched[block] = np.bincount(pair, weights=found, minlength=len(sentences))
    size = lengths[shorter]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(size > 0, matched / size, 0.0)
    return np.where(matched >= np.minimum(VERSION_MIN_SHARED, size), share, 0.0)


def version_groups(profiles: Sequence[_Profile]) -> list[list[str]]:
    """Groups in which every two articles are a confirmed version pair; every article is in exactly one group.

    The pairs that share the most are joined first, so that a weak link cannot keep an article out
    of the group of its own versions.
    """
    signatures = _signatures(profiles)
    sizes = np.array([p.features.shingles for p in profiles], dtype=np.int64)
    first, second = _close_pairs(signatures, sizes)
    overlaps = version_overlaps([p.article for p in profiles], first, second)
    confirmed = overlaps >= VERSION_OVERLAP
    first, second, overlaps = first[confirmed], second[confirmed], overlaps[confirmed]
    order = np.lexsort((second, first, -overlaps))
    pairs = list(zip(first[order].tolist(), second[order].tolist(), strict=True))
    groups: dict[int, list[str]] = {}
    for row, group in enumerate(_complete_link_groups(len(profiles), pairs)):
        groups.setdefault(group, []).append(profiles[row].article.id)
    by_id = {p.article.id: p.article for p in profiles}
    return [_version_order(group, by_id) for group in groups.values()]


def _complete_link_groups(count: int, pairs: Sequence[tuple[int, int]]) -> list[int]:
    """The group of each of `count` items, joining two groups only when every pair across them is in `pairs`.

    Versions of one article share most of their text with each other, while a chain of articles that
    each share a few paragraphs with the next does not make them one article: joining on any single
    pair (connected components) let such chains gather thousands of articles into one group.
    `pairs` are (i, j) with i < j, taken in their order (strongest first).
    """
    linked = set(pairs)
    group = list(range(count))
    members = {item: [item] for item in range(count)}
    for a, b in pairs:
        kept, joined = sorted((group[a], group[b]))
        if kept == joined:
            continue
        if all((min(x, y), max(x, y)) in linked for x in members[kept] for y in members[joined]):
            for item in members.pop(joined):
                group[item] = kept
                members[kept].append(item)
    return group


def _lsh_buckets(signatures: np.ndarray) -> sparse.csr_matrix:
    """Article x bucket: the MinHash LSH buckets (LSH_BANDS bands of one value) each article shares with another.

    The bands are those of datasketch's MinHashLSH with params (LSH_BANDS, 1); each is bucketed for
    all articles at once, where datasketch inserts one band of one article at a time (1.8 s at
    10,000 articles against a few milliseconds).
    """
    members: list[np.ndarray] = []
    buckets: list[np.ndarray] = []
    count = 0
    for band in range(LSH_BANDS):
        _, bucket, sizes = np.unique(signatures[:, band], return_inverse=True, return_counts=True)
        shared = np.flatnonzero(sizes[bucket] > 1)
        _, numbers = np.unique(bucket[shared], return_inverse=True)
        members.append(shared)
        buckets.append(count + numbers)
        count += int(numbers.max()) + 1 if len(numbers) else 0
    rows, columns = np.concatenate([np.zeros(0, np.int64), *members]), np.concatenate([np.zeros(0, np.int64), *buckets])
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)), shape=(len(signatures), count))


def _close_pairs(signatures: np.ndarray, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (first < second) that share an LSH bucket and whose shorter text is estimated to be at
    least CANDIDATE_CONTAINMENT contained in the other; found a block of articles at a time, so the
    candidates of all articles are never held at once."""
    buckets = _lsh_buckets(signatures)
    articles_of_bucket = buckets.T.tocsr()
    kept_first, kept_second = [], []
    for start in range(0, len(signatures), CANDIDATE_BLOCK):
        shared = buckets[start : start + CANDIDATE_BLOCK] @ articles_of_bucket
        first = np.repeat(np.arange(start, start + shared.shape[0]), np.diff(shared.indptr))
        second = shared.indices.astype(np.int64)
        later = second > first
        first, second = first[later], second[later]
        close = _estimated_containment(signatures, sizes, first, second) >= CANDIDATE_CONTAINMENT
        kept_first.append(first[close])
        kept_second.append(second[close])
    empty = np.zeros(0, dtype=np.int64)
    return np.concatenate([empty, *kept_first]), np.concatenate([empty, *kept_second])


def _shingle_count(tokens: Sequence[str]) -> int:
    return max(1, len(tokens) - SHINGLE + 1)


def _estimated_containment(
    signatures: np.ndarray, sizes: np.ndarray, first: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """Estimated share of the smaller shingle set found in the other, for many pairs at once: the share
    of equal signature values is the estimated Jaccard, as MinHash.jaccard computes it."""
    jaccard = np.count_nonzero(signatures[first] == signatures[second], axis=1) / NUM_PERM
    return _containment_of(jaccard, sizes[first], sizes[second])


def _containment_of(
    jaccard: np.ndarray | float, first_size: np.ndarray | int, second_size: np.ndarray | int
) -> np.ndarray | float:
    """|A ∩ B| / min(|A|, |B|) where J = |A ∩ B| / |A ∪ B|: the intersection is J (|A| + |B|) / (1 + J)."""
    return jaccard * (first_size + second_size) / ((1 + jaccard) * np.minimum(first_size, second_size))


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
    from sklearn.feature_extraction.text import TfidfTransformer  # on first use: see feature_hashers

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
    words = _counts([(p.features.word_columns, p.features.word_counts) for p in profiles])
    numbers = _counts([(p.features.fact_columns, p.features.fact_counts) for p in profiles])
    return _tfidf(words, min_df, max_df), _tfidf(numbers, min_df, max_df)


def _counts(rows: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]) -> sparse.csr_matrix:
    """The hashed count rows of many articles as one matrix, as the hashing vectorizer makes it."""
    lengths = [len(columns) for columns, _ in rows]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    chain = itertools.chain.from_iterable
    indices = np.fromiter(chain(columns for columns, _ in rows), dtype=np.int32, count=int(indptr[-1]))
    data = np.fromiter(chain(counts for _, counts in rows), dtype=np.float64, count=int(indptr[-1]))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), HASH_FEATURES))


def _neighbour_graph(profiles: list[_Profile], workers: int = 1) -> Graph:
    """Each article's nearest neighbours by TF-IDF cosine of the text blended with that of the facts;
    symmetric, sparse.

    Nearly every pair of articles shares some word, so the similarities of a block of articles are
    built dense at once; the block is sized to the corpus so that it holds about SIMILARITY_BLOCK values,
    and the blocks are shared among `workers` processes.
    """
    global _similarity_inputs
    n = len(profiles)
    graph: Graph = {i: {} for i in range(n)}
    if n < 2:
        return graph
    words, numbers = _vectors(profiles)
    rows = max(1, SIMILARITY_BLOCK // n)
    starts = range(0, n, rows)
    _similarity_inputs = words, words.T.tocsr(), numbers, numbers.T.tocsr(), rows
    try:
        blocks = fork_map(_nearest_in_blocks, len(starts), workers)
    finally:
        _similarity_inputs = None
    for start, (nearest, values) in zip(starts, blocks, strict=True):
        for i, neighbours, similarities in zip(range(start, start + len(nearest)), nearest, values, strict=True):
            for j, similarity in zip(neighbours, similarities, strict=True):
                if similarity >= MIN_SIMILARITY:
                    graph[i][j] = graph[j][i] = round(similarity, 6)
    return graph


_similarity_inputs: tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix, int] | None = None
"""The TF-IDF rows and columns and the block height of the graph being built, for forked workers."""


def _nearest_in_blocks(blocks: range) -> list[tuple[list[list[int]], list[list[float]]]]:
    """Each article's NEIGHBOURS most similar articles and their similarities, block by block."""
    assert _similarity_inputs is not None
    words, words_by_feature, numbers, numbers_by_feature, rows = _similarity_inputs
    n = words.shape[0]
    found = []
    for number in blocks:
        block = slice(number * rows, min((number + 1) * rows, n))
        similarities = TEXT_WEIGHT * (words[block] @ words_by_feature).toarray()
        similarities += (1 - TEXT_WEIGHT) * (numbers[block] @ numbers_by_feature).toarray()
        own = np.arange(similarities.shape[0])
        similarities[own, block.start + own] = 0.0
        nearest = np.argpartition(-similarities, min(NEIGHBOURS, n - 1) - 1, axis=1)[:, :NEIGHBOURS]
        found.append((nearest.tolist(), np.take_along_axis(similarities, nearest, axis=1).tolist()))
    return found


def _average_link(
    groups: list[list[int]],
    graph: Graph,
    threshold: float,
    allowed: Callable[[list[int], list[int], float], bool],
) -> list[list[int]]:
    """Merge the two groups with the highest average similarity while it reaches the threshold and
    `allowed(first, second, average)` agrees.

    Pairs of articles that are not neighbours count as 0, so only edges of the graph are summed.
    A merge lowers the average of the merged group with every neighbour the absorbed group did not
    have, so only the absorbed group's neighbours are pushed anew: a lowered pair's old entry is pushed
    again, lowered, when it comes up, instead of every neighbour of a growing group at every merge.
    A pair `allowed` refused is offered again once either group changes.
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
    refused: dict[int, set[int]] = {}
    while heap:
        negative, a, b = heapq.heappop(heap)
        if -negative < threshold:
            break
        if a not in members or b not in members or b not in sums[a]:
            continue
        current = average(a, b)
        if current != -negative:
            if current < -negative:
                heapq.heappush(heap, (-current, a, b))
            continue
        if not allowed(members[a], members[b], current):
            refused.setdefault(a, set()).add(b)
            refused.setdefault(b, set()).add(a)
            continue
        members[a] += members.pop(b)
        absorbed = sums.pop(b)
        for c, value in absorbed.items():
            del sums[c][b]
            if c != a:
                sums[a][c] = sums[a].get(c, 0.0) + value
                sums[c][a] = sums[a][c]
        sums[a].pop(b, None)
        offered_again = refused.pop(a, set()) | refused.pop(b, set())
        for c in offered_again:
            refused[c] -= {a, b}
        for c in absorbed.keys() | offered_again:
            if c in sums[a]:
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
    # The graph is symmetric and its rows come in order: a pair met before is looked up, not worked out again.
    subject: Graph = {}
    for i, edges in graph.items():
        subject[i] = {
            j: subject[j][i] if j < i else _subject_similarity(value, profiles[i], profiles[j])
            for j, value in edges.items()
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
    shared = len(first.names & second.names)
    union = len(first.names) + len(second.names) - shared
    overlap = shared / union if union else 0.0
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
