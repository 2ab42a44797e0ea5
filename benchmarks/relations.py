"""Benchmark of the relate stage (generator.relate): stories, storylines, versions, and version search at scale.

What it measures, all in one run (figures by the shared reference scorer `shared/tools/score.py`,
`bcubed` and `pairwise_f1`, imported from its file and never re-implemented here):

  1. Event clustering, ECB+ (ecbplus-event-clusters, 729 articles, 64 events in 32 topics; every
     topic holds two look-alike events). Only `title` and `text` reach the system; ids are hashes of
     the text, so neither the order nor the name of an article tells its topic. Our `Story` groups
     against the gold `cluster`: B-cubed P/R/F1 and pairwise F1, next to the README's baseline
     (scikit-learn TF-IDF, sublinear tf, English stop words, min_df=2 on `text`; agglomerative
     clustering, cosine distance, average link; distance threshold 0.78, and k = 64) computed in
     the same run. Target: B3 F1 >= 0.93 and above the baseline. Diagnostics say where the score
     is lost: merges of the two events of one topic, merges across topics, events split into
     several stories, pairs kept apart by the STORY_DAYS date rule, and the system's own similarity
     within an event, between the two events of a topic and between topics.
  2. Topic grouping, WikiRef220 (wikiref220-news-clusters, 171 articles). Our `Storyline` of each
     article against the README's gold (the 5 main clusters, each noise article a singleton):
     B-cubed, target >= 0.90; the README's baselines (TF-IDF + average link at cosine distance
     0.9, TF-IDF + k-means k=5 seed 0) in the same run.
  3. Versions. A test set built deterministically (random.Random(seed)) from real BBC articles of
     xsum-test-sample, whose bodies keep the BBC pages' own paragraphs: for each of 80 source
     articles a first edited version (headline changed, a paragraph of an unrelated article of the
     same BBC section added, a quarter of the sentences reworded by dropping, replacing or swapping
     a word or two) and a second version edited from the first (a paragraph removed, more sentences
     reworded, headline changed again, half the time one more borrowed paragraph), mixed with the
     other 159 articles as unrelated ones (they lend the borrowed paragraphs: hard negatives).
     Version links = pairs of articles in one `Story.versions` group, against the known pairs.
     Targets: precision >= 0.99, recall >= 0.95. The same construction on bbc-news-summary, whose
     "paragraphs" are blocks of several BBC paragraphs (a borrowed block can be half an article),
     is printed as a stress test without target.
  4. Scale: the version search (`generator.relate._profile` + `version_groups`: MinHash LSH plus
     the sentence check), then the whole `relate_articles`, over synthetic documents each composed
     of 4-8 paragraphs (one or two sentences) of different real articles from all four data sets,
     so that they are not near-duplicates. Every size runs in a fresh process; it prints seconds,
     peak RSS of that process and the rise of the peak during the step (resource.getrusage, so no
     tracemalloc overhead on the timing), the LSH candidate pairs checked, the pairs confirmed as
     versions, and the fitted exponent of time vs n (log-log slope). A pilot at a quarter of the
     smallest size gives a slope before the large sizes; a size whose projected time exceeds
     --max-seconds (default 600) is skipped and the output says so.

Articles are built as the pipeline builds them from plain text: CleanArticle -> spaCy analysis
(generator.nlp) -> generator.extract.extract_article, then relate_articles as shipped.

Run from the repository root:

    python benchmarks/relations.py                           # everything, default sizes 10000,30000
    python benchmarks/relations.py --skip-scale              # sections 1-3 only
    python benchmarks/relations.py --sizes 10000,30000,100000

Data lives outside the repository (default: ../shared/data from the repository root); when it is
missing the script says so and exits 0. Nothing is written anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import multiprocessing
import os
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date as Date
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from common import DEFAULT_DATA, REPO, fitted_exponent, load_scorer, read_jsonl
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.feature_extraction.text import TfidfVectorizer

import generator.relate as relate
from generator.config import Settings, load_alias_tables
from generator.extract import article_text, build_aliases, extract_article
from generator.model import Article, ArticleFeatures, CleanArticle, DateEvidence, Relations, Sentence
from generator.nlp import analyse, load_pipeline
from generator.text import md_escape

DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score.py"
ECB = "ecbplus-event-clusters"
WIKIREF = "wikiref220-news-clusters"
BBC = "bbc-news-summary"
XSUM = "xsum-test-sample"

ECB_TARGET_F1 = 0.93
WIKIREF_TARGET_F1 = 0.90
VERSION_TARGET_PRECISION = 0.99
VERSION_TARGET_RECALL = 0.95
ECB_BASELINE_THRESHOLD = 0.78
"""README: best distance threshold of the TF-IDF average-link baseline on the shared split."""
WIKIREF_BASELINE_THRESHOLD = 0.9
SOURCES = 80
"""Source articles of the XSum version set (239 articles: the rest are the unrelated ones)."""
MIN_SOURCE_PARAGRAPHS = 4
BBC_SOURCES = 100
REWORD_SHARE = 0.25
"""Share of sentences reworded in each edit."""
SCALE_PARAGRAPHS = (4, 8)
MIN_POOL_WORDS = 8
SHOW = 8
"""How many example pairs or stories a diagnostic lists."""

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘']?[A-Z0-9])")


# ---------------------------------------------------------------- shared helpers


@dataclass(frozen=True, slots=True)
class Doc:
    """One input article as plain text: what the system is allowed to see."""

    id: str
    title: str
    paragraphs: tuple[str, ...]


def hashed_ids(texts: Sequence[str], prefix: str) -> list[str]:
    """Ids from a hash of the text: stable, unique, and saying nothing of where an article came from."""
    ids: list[str] = []
    used: set[str] = set()
    for text in texts:
        base = prefix + hashlib.blake2b(text.encode(), digest_size=6).hexdigest()
        candidate, number = base, 2
        while candidate in used:
            candidate, number = f"{base}-{number}", number + 1
        used.add(candidate)
        ids.append(candidate)
    return ids


def split_sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]


def clean_of(doc: Doc) -> CleanArticle:
    return CleanArticle(
        source=doc.id,
        headline=doc.title or None,
        dek=None,
        paragraphs=tuple(md_escape(p) for p in doc.paragraphs),
        captions=(),
        blocks=(),
        meta=(),
    )


class Builder:
    """Docs -> Articles as the pipeline makes them: spaCy once, then extract_article."""

    def __init__(self) -> None:
        self.nlp = load_pipeline(Settings().nlp_model)
        self.aliases = build_aliases(*load_alias_tables(REPO, Settings()))

    def articles(self, docs: Sequence[Doc]) -> list[Article]:
        cleans = [clean_of(doc) for doc in docs]
        # Consume every doc (strict zip): an unfinished nlp.pipe with worker processes never exits.
        analysed = analyse(self.nlp, [article_text(c) for c in cleans], processes=2)
        return [
            extract_article(clean, analysed_doc, self.aliases, doc.id)
            for doc, clean, analysed_doc in zip(docs, cleans, analysed, strict=True)
        ]


def timed_relate(articles: Sequence[Article]) -> tuple[Relations, float]:
    start = time.perf_counter()
    relations = relate.relate_articles(articles, Settings().related_count)
    return relations, time.perf_counter() - start


def story_labels(relations: Relations) -> dict[str, str]:
    return {article: story.id for story in relations.stories for article in story.articles}


def storyline_labels(relations: Relations) -> dict[str, str]:
    line_of = {story_id: line.id for line in relations.storylines for story_id in line.stories}
    return {article: line_of[story.id] for story in relations.stories for article in story.articles}


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


class Scores:
    """The reference scorer's clustering metrics, printed as one table row."""

    def __init__(self, module: ModuleType) -> None:
        self.bcubed: Callable[[Mapping[str, str], Mapping[str, str]], tuple[float, float, float]] = module.bcubed
        self.pairwise: Callable[[Mapping[str, str], Mapping[str, str]], float] = module.pairwise_f1

    @staticmethod
    def header() -> str:
        return f"  {'system':<52} {'clusters':>8} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'pair F1':>7}"

    def row(self, name: str, pred: Mapping[str, str], gold: Mapping[str, str], note: str = "") -> float:
        p, r, f = self.bcubed(pred, gold)
        pair = self.pairwise(pred, gold)
        clusters = len(set(pred.values()))
        print(f"  {name:<52} {clusters:8d} {p:6.3f} {r:6.3f} {f:6.3f} {pair:7.3f}  {note}".rstrip())
        return f


def tfidf_matrix(texts: Sequence[str]) -> np.ndarray:
    """The READMEs' baseline features: TF-IDF, sublinear tf, English stop words, min_df=2."""
    vectors = TfidfVectorizer(sublinear_tf=True, stop_words="english", min_df=2).fit_transform(texts)
    return vectors.toarray()


def average_link(features: np.ndarray, *, threshold: float | None = None, k: int | None = None) -> list[int]:
    model = AgglomerativeClustering(
        n_clusters=k, distance_threshold=threshold, metric="cosine", linkage="average", compute_full_tree=True
    )
    return [int(label) for label in model.fit_predict(features)]


def labelled(ids: Sequence[str], labels: Iterable[int]) -> dict[str, str]:
    return {i: str(label) for i, label in zip(ids, labels, strict=True)}


# ---------------------------------------------------------------- 1. ECB+ events


def ecb_doc(row: dict, doc_id: str) -> Doc:
    """Title and text only. The text has one sentence per line; each line is a paragraph. The first
    line is the title: a headline (no final stop) is left out of the body, as the cleaner does with a
    headline line; a lead sentence (ECB part) stays in it."""
    lines = [line.strip() for line in str(row["text"]).split("\n") if line.strip()]
    title = str(row.get("title") or (lines[0] if lines else ""))
    body = lines
    if lines and lines[0] == title and not re.search(r"[.!?][\"”’']?$", title) and len(lines) > 1:
        body = lines[1:]
    return Doc(doc_id, title, tuple(body))


def run_ecb(folder: Path, builder: Builder, scores: Scores) -> None:
    rows = read_jsonl(folder / "articles.jsonl")
    ids = hashed_ids([f"{r['title']}\n{r['text']}" for r in rows], "e")
    docs = [ecb_doc(r, i) for r, i in zip(rows, ids, strict=True)]
    gold = {i: str(r["cluster"]) for i, r in zip(ids, rows, strict=True)}
    topic = {i: str(r["topic"]) for i, r in zip(ids, rows, strict=True)}
    print(f"\n1. Event clustering, ECB+ ({folder.name}): {len(docs)} articles, {len(set(gold.values()))} gold events")

    start = time.perf_counter()
    articles = builder.articles(docs)
    nlp_seconds = time.perf_counter() - start
    relations, seconds = timed_relate(articles)
    pred = story_labels(relations)
    print(f"  spaCy + extract {nlp_seconds:.1f}s; relate_articles {seconds:.1f}s")

    features = tfidf_matrix([str(r["text"]) for r in rows])
    k = len(set(gold.values()))
    print(Scores.header())
    ours = scores.row("ours: Story (relate_articles)", pred, gold)
    baseline = scores.row(
        f"baseline: TF-IDF + average link, distance {ECB_BASELINE_THRESHOLD}",
        labelled(ids, average_link(features, threshold=ECB_BASELINE_THRESHOLD)),
        gold,
        "README 0.909/0.900/0.904, pair 0.863",
    )
    scores.row(
        f"baseline: TF-IDF + average link, k = {k} (gold number)",
        labelled(ids, average_link(features, k=k)),
        gold,
        "README 0.838/0.952/0.892, pair 0.836",
    )
    scores.row("reference: one cluster per gold topic", topic, gold, "README B3 P 0.520")
    scores.row("ours: Storyline (not a target)", storyline_labels(relations), gold)
    print(
        f"  target B3 F1 >= {ECB_TARGET_F1:.2f} and above the baseline ({baseline:.3f}): "
        f"{verdict(ours >= ECB_TARGET_F1 and ours > baseline)}"
    )
    ecb_diagnostics(articles, relations, gold, topic, scores)


def ecb_diagnostics(
    articles: Sequence[Article],
    relations: Relations,
    gold: Mapping[str, str],
    topic: Mapping[str, str],
    scores: Scores,
) -> None:
    pred = story_labels(relations)
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, story_id in pred.items():
        members[story_id].append(article_id)

    # Precision: loss to merged look-alike events vs loss to merges across topics.
    p_event = scores.bcubed(pred, gold)[0]
    p_topic = scores.bcubed(pred, topic)[0]
    kinds: Counter[str] = Counter()
    for group in members.values():
        if len({topic[a] for a in group}) > 1:
            kinds["mixes topics"] += 1
        elif len({gold[a] for a in group}) > 1:
            kinds["merges the two events of one topic"] += 1
        else:
            kinds["pure" if len(group) > 1 else "pure singleton"] += 1
    print("\n  where precision goes:")
    print(f"    B3 precision against topics {p_topic:.3f}, against events {p_event:.3f}:")
    print(
        f"    lost to merges across topics {1 - p_topic:.3f}; "
        f"to merging the two events of a topic {p_topic - p_event:.3f}"
    )
    print("    stories: " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()))
    mixed = sorted((g for g in members.values() if len({gold[a] for a in g}) > 1), key=lambda g: (-len(g), sorted(g)))
    by_id = {a.id: a for a in articles}
    for group in mixed[:SHOW]:
        parts = Counter(gold[a] for a in group)
        print(f"      {len(group):3d} articles: {dict(parts.most_common())}  e.g. '{by_id[group[0]].title[:60]}'")

    # Recall: events split over several stories, and pairs the date rule keeps apart.
    stories_per_event: dict[str, Counter[str]] = defaultdict(Counter)
    for article_id, label in gold.items():
        stories_per_event[label][pred[article_id]] += 1
    split = {e: c for e, c in stories_per_event.items() if len(c) > 1}
    singletons = sum(1 for g in members.values() if len(g) == 1)
    print("\n  where recall goes:")
    print(
        f"    {len(split)} of {len(stories_per_event)} events split over several stories; "
        f"{singletons} articles alone in a story"
    )
    worst = sorted(split.items(), key=lambda item: (-len(item[1]), item[0]))[:SHOW]
    for event, counts in worst:
        sizes = sorted(counts.values(), reverse=True)
        print(f"      {event:<12} {sum(counts.values()):3d} articles in {len(counts):2d} stories, sizes {sizes}")
    dates = dict(relations.dates)
    dated = sum(1 for a in articles if dates[a.id].date)
    missed = blocked = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        if gold[a] == gold[b] and pred[a] != pred[b]:
            missed += 1
            da, db = dates[a].date, dates[b].date
            if da and db and abs((Date.fromisoformat(da) - Date.fromisoformat(db)).days) > relate.STORY_DAYS:
                blocked += 1
    print(
        f"    {dated} of {len(articles)} articles have a date; of {missed} same-event pairs in different stories, "
        f"{blocked} are dated more than STORY_DAYS = {relate.STORY_DAYS} apart (no story may hold both)"
    )

    # The system's own similarity by kind of pair.
    ordered = sorted(articles, key=lambda a: a.id)
    profiles = [relate._profile(a, f) for a, f in zip(ordered, relate.article_features(ordered), strict=True)]
    similarity, source = pair_similarity(profiles)
    if similarity is None:
        print(f"\n  similarity by kind of pair: skipped ({source})")
        return
    order = [p.article.id for p in profiles]
    same_event, same_topic, other = [], [], []
    for i, j in itertools.combinations(range(len(order)), 2):
        a, b = order[i], order[j]
        value = similarity(i, j)
        if gold[a] == gold[b]:
            same_event.append(value)
        elif topic[a] == topic[b]:
            same_topic.append(value)
        else:
            other.append(value)
    print(f"\n  similarity by kind of pair ({source}); STORY_SIMILARITY = {relate.STORY_SIMILARITY}")
    print(
        f"    {'pairs':<26} {'count':>7} {'> 0':>6} {'mean':>6} {'p25':>6} {'median':>6} {'p75':>6} {'p90':>6} "
        f"{'>= STORY_SIM':>12}"
    )
    kinds_of_pair = (("same event", same_event), ("same topic, other event", same_topic), ("different topics", other))
    for name, values in kinds_of_pair:
        array = np.array(values)
        above = float((array >= relate.STORY_SIMILARITY).mean())
        linked = float((array > 0).mean())
        q25, q50, q75, q90 = np.percentile(array, [25, 50, 75, 90])
        print(
            f"    {name:<26} {len(array):7d} {linked:6.3f} {array.mean():6.3f} {q25:6.3f} {q50:6.3f} {q75:6.3f} "
            f"{q90:6.3f} {above:12.3f}"
        )


def pair_similarity(profiles: list[Any]) -> tuple[Callable[[int, int], float] | None, str]:
    """The similarity the clusterings use: the sparse neighbour graph (absent pairs count as 0, as in
    relate._average_link), or an older dense matrix; None when neither helper exists."""
    if hasattr(relate, "_neighbour_graph"):
        graph = relate._neighbour_graph(profiles)
        rest = "facts cosine" if hasattr(relate, "facts") else "name Jaccard"
        note = (
            f"relate._neighbour_graph: {relate.TEXT_WEIGHT} TF-IDF cosine + {1 - relate.TEXT_WEIGHT:.1f} {rest}, "
            f"{relate.NEIGHBOURS} neighbours per article, pairs outside the graph count 0"
        )
        return (lambda i, j: graph[i].get(j, 0.0)), note
    if hasattr(relate, "_text_similarity"):
        matrix = relate._text_similarity(profiles)
        return (lambda i, j: float(matrix[i, j])), "relate._text_similarity, dense"
    return None, "generator.relate has neither _neighbour_graph nor _text_similarity"


# ---------------------------------------------------------------- 2. WikiRef220 topics


def wikiref_doc(row: dict, doc_id: str) -> Doc:
    """Title first, then the paragraphs; every non-empty line after the title is a paragraph."""
    lines = [line.strip() for line in str(row["text"]).split("\n") if line.strip()]
    title = str(row.get("title") or (lines[0] if lines else ""))
    body = lines[1:] if lines and lines[0] == title and len(lines) > 1 else lines
    return Doc(doc_id, title, tuple(body))


def run_wikiref(folder: Path, builder: Builder, scores: Scores) -> None:
    rows = read_jsonl(folder / "articles.jsonl")
    ids = hashed_ids([str(r["text"]) for r in rows], "w")
    docs = [wikiref_doc(r, i) for r, i in zip(rows, ids, strict=True)]
    gold = {i: (f"noise:{i}" if r["cluster"] == "noise" else str(r["cluster"])) for i, r in zip(ids, rows, strict=True)}
    noise = {i for i, r in zip(ids, rows, strict=True) if r["cluster"] == "noise"}
    print(
        f"\n2. Topic grouping, WikiRef220 ({folder.name}): {len(docs)} articles, "
        f"gold = 5 clusters + {len(noise)} noise singletons"
    )
    start = time.perf_counter()
    articles = builder.articles(docs)
    nlp_seconds = time.perf_counter() - start
    relations, seconds = timed_relate(articles)
    print(f"  spaCy + extract {nlp_seconds:.1f}s; relate_articles {seconds:.1f}s")
    lines = storyline_labels(relations)
    features = tfidf_matrix([str(r["text"]) for r in rows])
    print(Scores.header())
    ours = scores.row("ours: Storyline (relate_articles)", lines, gold)
    scores.row("ours: Story (not a target)", story_labels(relations), gold)
    scores.row(
        f"baseline: TF-IDF + average link, distance {WIKIREF_BASELINE_THRESHOLD}",
        labelled(ids, average_link(features, threshold=WIKIREF_BASELINE_THRESHOLD)),
        gold,
        "README 0.863/0.929/0.895, pair 0.915",
    )
    kmeans = KMeans(n_clusters=5, random_state=0, n_init=10).fit_predict(features)
    note = "README 0.694/0.969/0.809 (k-means depends on its initialisation)"
    scores.row("baseline: TF-IDF + k-means, k = 5, seed 0, n_init 10", labelled(ids, kmeans), gold, note)
    print(f"  target B3 F1 >= {WIKIREF_TARGET_F1:.2f}: {verdict(ours >= WIKIREF_TARGET_F1)}")

    members: dict[str, list[str]] = defaultdict(list)
    for article_id, line in lines.items():
        members[line].append(article_id)
    alone = sum(1 for i in noise if len(members[lines[i]]) == 1)
    print(f"  {alone} of {len(noise)} noise articles alone in their storyline; storylines by gold make-up:")
    topic_label = {i: str(r["cluster"]) for i, r in zip(ids, rows, strict=True)}
    for group in sorted(members.values(), key=lambda g: (-len(g), sorted(g)))[: SHOW + 4]:
        if len(group) > 1:
            print(f"    {len(group):3d}: {dict(Counter(topic_label[a] for a in group).most_common())}")
    spread = {
        label: len({lines[i] for i in ids if topic_label[i] == label})
        for label in sorted({topic_label[i] for i in ids if i not in noise})
    }
    print("  storylines per main cluster: " + ", ".join(f"{k} {v}" for k, v in spread.items()))


# ---------------------------------------------------------------- 3. versions


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    category: str
    title: str
    paragraphs: tuple[str, ...]


def section_of(url: str) -> str:
    """A coarse BBC section from the page address: sport, news-uk, news-world, news-business, ..."""
    match = re.search(r"bbc\.co(?:m|\.uk)(?::\d+)?/([a-z]+)/([a-z]+)?", url or "")
    if not match:
        return "other"
    if match.group(1) != "news":
        return match.group(1)
    return f"news-{match.group(2) or 'other'}"


def xsum_sources(folder: Path) -> list[Source]:
    """XSum bodies keep the BBC page's own paragraphs (one or two sentences each); no headline is
    stored, so the first words of the article's intro sentence (its `summary`) serve as one."""
    sources = []
    for row in read_jsonl(folder / "articles.jsonl"):
        paragraphs = tuple(" ".join(p.split()) for p in str(row["text"]).split("\n") if p.strip())
        title = " ".join(str(row.get("summary") or paragraphs[0]).split()[:10]).rstrip(".,;:")
        sources.append(Source(str(row["id"]), section_of(str(row.get("url") or "")), title, paragraphs))
    return sources


def reword(sentence: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    """One or two small edits: drop a word, replace a word, or swap two neighbouring words."""
    words = sentence.split()
    for _ in range(rng.randint(1, 2)):
        if len(words) < 4:
            break
        position = rng.randrange(1, len(words) - 1)
        action = rng.choice(("drop", "replace", "swap"))
        if action == "drop":
            del words[position]
        elif action == "replace":
            words[position] = rng.choice(vocabulary)
        else:
            words[position], words[position + 1] = words[position + 1], words[position]
    return " ".join(words)


def reword_paragraphs(paragraphs: list[str], rng: random.Random, vocabulary: Sequence[str]) -> tuple[list[str], int]:
    """Reword REWORD_SHARE of all sentences (at least one); paragraphs keep their sentences in order."""
    sentences = [(p, s) for p, paragraph in enumerate(paragraphs) for s in split_sentences(paragraph)]
    chosen = set(rng.sample(range(len(sentences)), max(1, round(REWORD_SHARE * len(sentences)))))
    rebuilt: list[list[str]] = [[] for _ in paragraphs]
    for index, (p, sentence) in enumerate(sentences):
        rebuilt[p].append(reword(sentence, rng, vocabulary) if index in chosen else sentence)
    return [" ".join(parts) for parts in rebuilt if parts], len(chosen)


def new_headline(title: str, rng: random.Random, vocabulary: Sequence[str]) -> str:
    words = title.split()
    choice = rng.randrange(3)
    if choice == 0 and len(words) > 2:
        words[rng.randrange(len(words))] = rng.choice(vocabulary)
        return " ".join(words)
    if choice == 1:
        return f"{title}: latest"
    return f"Update: {title}"


@dataclass(frozen=True, slots=True)
class VersionSet:
    docs: list[Doc]
    group: dict[str, str]
    """Doc id -> version group; every distractor is its own group."""
    role: dict[str, str]
    """Doc id -> 'original', 'v1', 'v2' or 'other', for the diagnostics."""
    lenders: dict[str, frozenset[str]]
    """Doc id -> groups of the unrelated articles it took a paragraph from (v2 inherits v1's)."""
    notes: list[str]


def version_set(sources: Sequence[Source], seed: int, count: int, min_paragraphs: int) -> VersionSet:
    """Originals, two edited versions of each, and the other articles as unrelated ones.

    Each added paragraph comes from a different unrelated article, of the same section where one is
    left: a story quoting one paragraph of another happens in news and must not make them versions.
    """
    rng = random.Random(seed)
    pool = sorted(sources, key=lambda s: s.id)
    rng.shuffle(pool)
    chosen = [s for s in pool if len(s.paragraphs) >= min_paragraphs][:count]
    others = [s for s in pool if s not in chosen]
    vocabulary = [w for s in others for p in s.paragraphs for w in p.split() if w.isalpha()]
    unused = [s for s in others if any(len(p.split()) >= MIN_POOL_WORDS for p in s.paragraphs)]

    def borrow(category: str) -> tuple[str, str]:
        same = [s for s in unused if s.category == category]
        lender = (same or unused or others)[0]
        if lender in unused:
            unused.remove(lender)
        paragraphs = [p for p in lender.paragraphs if len(p.split()) >= MIN_POOL_WORDS] or list(lender.paragraphs)
        return lender.id, rng.choice(paragraphs)

    made: list[tuple[str, str, tuple[str, ...], str, frozenset[str]]] = []  # group, title, paragraphs, role, lenders
    reworded = added = removed = 0
    for source in chosen:
        first, count = reword_paragraphs(list(source.paragraphs), rng, vocabulary)
        reworded += count
        lender, paragraph = borrow(source.category)
        first.insert(rng.randrange(1, len(first) + 1), paragraph)
        first_lenders = second_lenders = frozenset([lender])
        added += 1
        first_title = new_headline(source.title, rng, vocabulary)
        second = list(first)
        del second[rng.randrange(len(second))]
        removed += 1
        second, count = reword_paragraphs(second, rng, vocabulary)
        reworded += count
        if rng.random() < 0.5:
            lender, paragraph = borrow(source.category)
            second.insert(rng.randrange(1, len(second) + 1), paragraph)
            second_lenders = first_lenders | {lender}
            added += 1
        second_title = new_headline(first_title, rng, vocabulary)
        made.append((source.id, source.title, source.paragraphs, "original", frozenset()))
        made.append((source.id, first_title, tuple(first), "v1", first_lenders))
        made.append((source.id, second_title, tuple(second), "v2", second_lenders))
    made += [(other.id, other.title, other.paragraphs, "other", frozenset()) for other in others]
    ids = hashed_ids([f"{g}:{r}\n{t}\n" + "\n".join(ps) for g, t, ps, r, _ in made], "v")
    docs = [Doc(i, title, paragraphs) for i, (_, title, paragraphs, _, _) in zip(ids, made, strict=True)]
    group = {i: m[0] for i, m in zip(ids, made, strict=True)}
    role = {i: m[3] for i, m in zip(ids, made, strict=True)}
    lenders = {i: m[4] for i, m in zip(ids, made, strict=True)}
    sections = Counter(s.category for s in chosen)
    notes = [
        f"{len(chosen)} source articles x (original, v1, v2) + {len(others)} unrelated articles; seed {seed}; "
        "sections of the sources: " + ", ".join(f"{k} {v}" for k, v in sections.most_common(6)),
        f"edits: {reworded} sentences reworded, {added} paragraphs of other articles added, {removed} paragraphs "
        "removed, every headline changed; v2 is edited from v1",
    ]
    return VersionSet(docs, group, role, lenders, notes)


def version_pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    return {pair for g in groups for pair in itertools.combinations(sorted(g), 2)}


def overlap(a: Article, b: Article) -> tuple[int, int, float]:
    """The version rule's figures of a pair: matched sentences of the shorter, its sentences, their ratio."""

    def words(article: Article) -> list[frozenset[str]]:
        return [ws for s in article.sentences if (ws := relate._word_set(s.text)) is not None]

    first, second = words(a), words(b)
    if not first or not second:
        return 0, 0, 0.0
    shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
    matched = sum(1 for s in shorter if any(len(s & t) / len(s | t) >= relate.SENTENCE_MATCH for t in longer))
    return matched, len(shorter), matched / len(shorter)


def bbc_sources(folder: Path) -> list[Source]:
    """bbc-news-summary bodies: several BBC paragraphs run together per block (up to ~10 sentences)."""
    sources = []
    for row in read_jsonl(folder / "articles.jsonl"):
        paragraphs = tuple(" ".join(p.split()) for p in str(row["body"]).split("\n") if p.strip())
        sources.append(Source(str(row["id"]), str(row["category"]), str(row["title"]).strip(), paragraphs))
    return sources


def run_versions(data: Path, builder: Builder, scores: Scores, seed: int) -> None:
    print("\n3. Versions: edited copies of real articles, mixed with unrelated articles")
    if (data / XSUM / "articles.jsonl").is_file():
        vs = version_set(xsum_sources(data / XSUM), seed, SOURCES, MIN_SOURCE_PARAGRAPHS)
        score_versions(f"{XSUM} (BBC pages' own paragraphs); targets apply", vs, builder, scores, targets=True)
    if (data / BBC / "articles.jsonl").is_file():
        vs = version_set(bbc_sources(data / BBC), seed, BBC_SOURCES, 3)
        label = f"{BBC}, stress test, no target: a borrowed 'paragraph' is a block of up to ~10 sentences"
        score_versions(label, vs, builder, scores, targets=False)


def score_versions(label: str, vs: VersionSet, builder: Builder, scores: Scores, *, targets: bool) -> None:
    print(f"\n  {label}")
    for note in vs.notes:
        print(f"  {note}")
    start = time.perf_counter()
    articles = builder.articles(vs.docs)
    nlp_seconds = time.perf_counter() - start
    relations, seconds = timed_relate(articles)
    print(f"  spaCy + extract {nlp_seconds:.1f}s; relate_articles {seconds:.1f}s")
    predicted_groups = [g for story in relations.stories for g in story.versions]
    predicted = version_pairs(predicted_groups)
    by_group: dict[str, list[str]] = defaultdict(list)
    for article_id, group in vs.group.items():
        by_group[group].append(article_id)
    known = version_pairs(by_group.values())
    tp = len(predicted & known)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(known) if known else 1.0
    label_of = {a: str(n) for n, g in enumerate(predicted_groups) for a in g}
    pair_f1 = scores.pairwise(label_of, vs.group)
    print(f"  known version pairs {len(known)}, predicted {len(predicted)}, correct {tp}")
    precision_goal = recall_goal = ""
    if targets:
        precision_goal = f" (target >= {VERSION_TARGET_PRECISION}: {verdict(precision >= VERSION_TARGET_PRECISION)})"
        recall_goal = f" (target >= {VERSION_TARGET_RECALL}: {verdict(recall >= VERSION_TARGET_RECALL)})"
    print(
        f"  precision {precision:.3f}{precision_goal}  recall {recall:.3f}{recall_goal}"
        f"  pairwise F1 by score.py {pair_f1:.3f}"
    )
    by_kind: Counter[str] = Counter()
    found_kind: Counter[str] = Counter()
    for a, b in known:
        kind = "-".join(sorted((vs.role[a], vs.role[b])))
        by_kind[kind] += 1
        found_kind[kind] += (a, b) in predicted
    print("  recall by pair: " + ", ".join(f"{k} {found_kind[k]}/{n}" for k, n in sorted(by_kind.items())))
    by_id = {a.id: a for a in articles}
    shares = sorted(overlap(by_id[a], by_id[b])[2] for a, b in known)
    if shares:
        low = ", ".join(f"{q}% {np.percentile(shares, q):.2f}" for q in (1, 5, 25))
        print(
            f"  version overlap of the known pairs (matched share of the shorter): min {shares[0]:.2f}, {low}; "
            f"VERSION_OVERLAP = {relate.VERSION_OVERLAP}"
        )
    features = dict(zip((a.id for a in articles), relate.article_features(list(articles)), strict=True))

    def jaccard(a: str, b: str) -> float:
        return float(np.mean(np.equal(features[a].signature, features[b].signature)))

    contained = sorted(
        relate._containment_of(jaccard(a, b), features[a].shingles, features[b].shingles) for a, b in known
    )
    if contained:
        low = ", ".join(f"{q}% {np.percentile(contained, q):.2f}" for q in (1, 5, 25))
        print(
            f"  estimated shingle containment of the known pairs: min {contained[0]:.2f}, {low}; "
            f"CANDIDATE_CONTAINMENT = {relate.CANDIDATE_CONTAINMENT}"
        )
    false = sorted(predicted - known)
    row = {a.id: i for i, a in enumerate(articles)}
    pair_rows = np.array([(row[a], row[b]) for a, b in false], dtype=np.int64).reshape(-1, 2)
    passing = relate.version_overlaps(articles, pair_rows[:, 0], pair_rows[:, 1]) >= relate.VERSION_OVERLAP
    direct = [pair for pair, ok in zip(false, passing.tolist(), strict=True) if ok]
    quoting = [(a, b) for a, b in direct if vs.group[b] in vs.lenders[a] or vs.group[a] in vs.lenders[b]]
    if false:
        direct_shares = sorted(overlap(by_id[a], by_id[b])[2] for a, b in direct)
        print(
            f"  false links: {len(false)}, of which {len(direct)} pass the version rule directly "
            f"({len(quoting)} between a version and the article it took a paragraph from; their overlap "
            f"median {np.median(direct_shares) if direct_shares else 0:.2f}); "
            f"the other {len(false) - len(direct)} come from joining groups through such links"
        )
    for title, pairs in (("direct false links", direct), ("missed pairs", sorted(known - predicted))):
        if pairs:
            print(f"  {title} ({len(pairs)}), first {min(SHOW, len(pairs))}:")
        for a, b in pairs[:SHOW]:
            first, second = by_id[a], by_id[b]
            matched, shorter, _ = overlap(first, second)
            print(
                f"    {vs.role[a]}/{vs.group[a]} ({len(first.sentences)} sentences) ~ "
                f"{vs.role[b]}/{vs.group[b]} ({len(second.sentences)}): {matched}/{shorter} sentences matched"
            )


# ---------------------------------------------------------------- 4. scale of the version search


def paragraph_pool(data: Path) -> list[tuple[int, str]]:
    """(source article number, paragraph) from every real article of the data sets, deduplicated.

    News paragraphs are one or two sentences; longer blocks (bbc-news-summary runs several BBC
    paragraphs together) are cut into pieces of at most two sentences. Pieces under 8 words are left out.
    """
    texts: list[list[str]] = []
    if (data / BBC / "articles.jsonl").is_file():
        texts += [str(r["body"]).split("\n") for r in read_jsonl(data / BBC / "articles.jsonl")]
    if (data / XSUM / "articles.jsonl").is_file():
        texts += [str(r["text"]).split("\n") for r in read_jsonl(data / XSUM / "articles.jsonl")]
    if (data / WIKIREF / "articles.jsonl").is_file():
        texts += [str(r["text"]).split("\n")[1:] for r in read_jsonl(data / WIKIREF / "articles.jsonl")]
    if (data / ECB / "articles.jsonl").is_file():
        texts += [str(r["text"]).split("\n")[1:] for r in read_jsonl(data / ECB / "articles.jsonl")]
    pool: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, paragraphs in enumerate(texts):
        for paragraph in paragraphs:
            sentences = split_sentences(" ".join(paragraph.split()))
            for start in range(0, len(sentences), 2):
                text = " ".join(sentences[start : start + 2])
                if len(text.split()) >= MIN_POOL_WORDS and text not in seen:
                    seen.add(text)
                    pool.append((number, text))
    return pool


def composed_articles(n: int, pool: Sequence[tuple[int, str]], seed: int) -> list[Article]:
    """n documents of 4-8 paragraphs, each paragraph from a different real article; minimal Article fields."""
    rng = random.Random(seed * 1_000_003 + n)
    articles = []
    for index in range(n):
        wanted = rng.randint(*SCALE_PARAGRAPHS)
        used: set[int] = set()
        paragraphs: list[str] = []
        while len(paragraphs) < wanted:
            source, text = pool[rng.randrange(len(pool))]
            if source not in used:
                used.add(source)
                paragraphs.append(text)
        sentences = tuple(Sentence(s, p) for p, text in enumerate(paragraphs) for s in split_sentences(text))
        article_id = f"s{index:06d}"
        articles.append(
            Article(
                id=article_id,
                source=article_id,
                title=" ".join(paragraphs[0].split()[:8]),
                dek=None,
                date=DateEvidence(None, "", True),
                capture_date=None,
                publisher=None,
                authors=(),
                contributors=(),
                dateline=None,
                developing=False,
                paragraphs=tuple(md_escape(p) for p in paragraphs),
                captions=(),
                sentences=sentences,
                entities=(),
                mentions=(),
                quotes=(),
            )
        )
    return articles


SCALE_STEPS = {
    "versions": "relate._profile + version groups (MinHash LSH + version_overlaps)",
    "relate": "the whole relate_articles (versions, neighbour graph, stories, storylines, related)",
}


@dataclass(frozen=True, slots=True)
class ScaleResult:
    step: str
    n: int
    build_seconds: float
    feature_seconds: float
    """Per-article features (MinHash signature, hashed counts) on every core, as a build makes and caches them."""
    seconds: float
    """The corpus-level step, given the features."""
    rss_before_mb: float
    rss_peak_mb: float
    candidates: int
    """Candidate pairs LSH proposed and the sentence comparison (version_overlaps) checked."""
    confirmed: int
    groups: int
    """Version groups with more than one article (few expected: the documents are not versions)."""

    @property
    def total(self) -> float:
        return self.feature_seconds + self.seconds


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


_COMPOSED: list[Article] = []
"""The documents of the current scale step, shared with forked workers without pickling them."""


def _features_of(bounds: tuple[int, int]) -> list[ArticleFeatures]:
    return relate.article_features(_COMPOSED[bounds[0] : bounds[1]])


def per_article_features(articles: list[Article], workers: int) -> dict[str, ArticleFeatures]:
    """Relate's per-article features as a build computes them: in the per-article stage, on every core, then cached."""
    global _COMPOSED
    _COMPOSED = articles
    size = max(1, -(-len(articles) // (workers * 8)))
    bounds = [(start, min(start + size, len(articles))) for start in range(0, len(articles), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as executor:
        rows = [found for chunk in executor.map(_features_of, bounds) for found in chunk]
    _COMPOSED = []
    return {a.id: found for a, found in zip(articles, rows, strict=True)}


def scale_step(step: str, n: int, pool: Sequence[tuple[int, str]], seed: int) -> ScaleResult:
    """Runs in a fresh process: build n documents (not timed), then time one step on them.

    The features (MinHash signatures, hashed word and fact counts) are per-article results, computed
    in a build's per-article stage on every core and cached; they are timed apart (`feature_seconds`)
    and given to the step.
    """
    start = time.perf_counter()
    articles = composed_articles(n, pool, seed)
    build_seconds = time.perf_counter() - start
    calls = Counter[bool]()
    overlaps_of = relate.version_overlaps

    def counting(articles: Sequence[Article], first: Any, second: Any) -> Any:
        overlaps = overlaps_of(articles, first, second)
        confirmed = int((overlaps >= relate.VERSION_OVERLAP).sum())
        calls[True] += confirmed
        calls[False] += len(overlaps) - confirmed
        return overlaps

    relate.version_overlaps = counting  # the module-level name the version search calls
    before = _maxrss_mb()
    start = time.perf_counter()
    features = per_article_features(articles, max(1, os.cpu_count() or 1))
    feature_seconds = time.perf_counter() - start
    start = time.perf_counter()
    if step == "versions":
        profiles = [relate._profile(a, features[a.id]) for a in articles]
        groups = [list(g) for g in relate.version_groups(profiles)]
    else:
        relations = relate.relate_articles(articles, Settings().related_count, features)
        groups = [list(g) for story in relations.stories for g in story.versions]
    seconds = time.perf_counter() - start
    peak = _maxrss_mb()
    relate.version_overlaps = overlaps_of
    multi = sum(1 for g in groups if len(g) > 1)
    return ScaleResult(
        step, n, build_seconds, feature_seconds, seconds, before, peak, sum(calls.values()), calls[True], multi
    )


def run_scale(data: Path, sizes: Sequence[int], seed: int, max_seconds: float) -> None:
    pool = paragraph_pool(data)
    sources = len({number for number, _ in pool})
    if sources < SCALE_PARAGRAPHS[1]:
        print(f"\n4. Scale: skipped, too few articles under {data} to compose documents from.")
        return
    print(
        f"\n4. Scale: composed documents, {SCALE_PARAGRAPHS[0]}-{SCALE_PARAGRAPHS[1]} paragraphs each from different "
        f"articles ({len(pool)} distinct paragraphs of {sources} real articles), no entities, no dates"
    )
    print(
        f"  LSH bands {relate.LSH_BANDS} of one value, candidates compared when containment >= "
        f"{relate.CANDIDATE_CONTAINMENT}, {relate.NUM_PERM} permutations, {relate.SHINGLE}-word shingles; "
        "every row in a fresh process; seconds = feats (per-article features: MinHash signature and hashed counts, "
        "on every core, as a build's per-article stage makes them) + step (the corpus-level step given them); "
        "RSS = peak resident memory of that process (its forked feature workers not counted), +MB = its rise "
        "during the step"
    )
    pilot = max(100, min(sizes) // 4)
    plan = [pilot, *sorted(sizes)] if pilot < min(sizes) else sorted(sizes)
    print(
        f"  {'step':<9} {'n':>7} {'seconds':>8} {'= feats':>7} {'+ step':>7} {'us/doc':>7} {'RSS MB':>7} {'+MB':>6} "
        f"{'checked':>9} {'per doc':>7} {'confirmed':>9} {'groups>1':>8}"
    )
    context = multiprocessing.get_context("spawn")
    exponents: dict[str, float | None] = {}
    for step in SCALE_STEPS:
        results: list[ScaleResult] = []
        for n in plan:
            slope = fitted_exponent([(r.n, r.total) for r in results])
            if results:
                exponent = slope if slope is not None else 2.0
                projected = results[-1].total * (n / results[-1].n) ** exponent
                if projected > max_seconds:
                    print(
                        f"  {step:<9} {n:7d} skipped: projected {projected:.0f}s at exponent {exponent:.2f} "
                        f"> --max-seconds {max_seconds:.0f}"
                    )
                    break
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
                r = executor.submit(scale_step, step, n, pool, seed).result()
            results.append(r)
            print(
                f"  {step:<9} {n:7d} {r.total:8.1f} {r.feature_seconds:7.1f} {r.seconds:7.1f} "
                f"{1e6 * r.total / n:7.0f} {r.rss_peak_mb:7.0f} "
                f"{r.rss_peak_mb - r.rss_before_mb:6.0f} {r.candidates:9d} {r.candidates / n:7.2f} "
                f"{r.confirmed:9d} {r.groups:8d}",
                flush=True,
            )
        exponents[step] = fitted_exponent([(r.n, r.total) for r in results])
    for step, label in SCALE_STEPS.items():
        slope = exponents.get(step)
        fitted = f"{slope:.2f}" if slope is not None else "n/a (fewer than 2 sizes)"
        print(f"  fitted exponent of time vs n (log-log slope), {step}: {fitted}  [{label}]")


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder holding the data sets")
    parser.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the reference score.py")
    parser.add_argument("--skip-scale", action="store_true", help="leave out section 4 (version search at scale)")
    parser.add_argument("--sizes", default="10000,30000", help="document counts for section 4, comma-separated")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="skip a scale size projected to take longer")
    parser.add_argument("--seed", type=int, default=1, help="seed of the version test set and composed documents")
    args = parser.parse_args(argv)
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error("--sizes expects whole numbers separated by commas, e.g. 10000,30000")
    if not sizes or min(sizes) < 1:
        parser.error("--sizes expects positive numbers")

    if not args.data.is_dir():
        print(f"No data folder at {args.data}; nothing to measure (pass --data PATH).")
        return 0
    if not args.scorer.is_file():
        print(f"No reference scorer at {args.scorer}; skipped (pass --scorer PATH).")
        return 0
    present = {name: (args.data / name / "articles.jsonl").is_file() for name in (ECB, WIKIREF, BBC, XSUM)}
    if not any(present.values()):
        print(f"None of {', '.join(present)} found under {args.data}; nothing to measure.")
        return 0

    started = time.perf_counter()
    scores = Scores(load_scorer(args.scorer))
    print(f"Relate-stage benchmark: data {args.data}, scorer {args.scorer}")
    constants = [name for name in dir(relate) if name.isupper() and isinstance(getattr(relate, name), int | float)]
    print("generator.relate: " + ", ".join(f"{name} {getattr(relate, name)}" for name in constants))
    builder = Builder() if present[ECB] or present[WIKIREF] or present[XSUM] or present[BBC] else None
    for name, run in ((ECB, run_ecb), (WIKIREF, run_wikiref)):
        section = time.perf_counter()
        if present[name] and builder:
            run(args.data / name, builder, scores)
            print(f"  (section time {time.perf_counter() - section:.0f}s)")
        else:
            print(f"\n{name}: not found under {args.data}; skipped.")
    section = time.perf_counter()
    if (present[XSUM] or present[BBC]) and builder:
        run_versions(args.data, builder, scores, args.seed)
        print(f"  (section time {time.perf_counter() - section:.0f}s)")
    else:
        print(f"\n{XSUM} and {BBC}: not found under {args.data}; version section skipped.")
    if args.skip_scale:
        print("\n4. Scale of the version search: skipped (--skip-scale).")
    else:
        section = time.perf_counter()
        run_scale(args.data, sizes, args.seed, args.max_seconds)
        print(f"  (section time {time.perf_counter() - section:.0f}s)")
    print(f"\nTotal time {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
