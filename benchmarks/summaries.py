"""Benchmark of the extractive summarizer (generator.summarize) with ROUGE, baselines computed in the same run.

What it measures, on two evaluation sets kept outside the repository (default: ../shared/data):

  (a) xsum-test-sample: our one-line summary (`Brief.summary`) against the journalist's one-sentence
      introduction (`summary`), ROUGE-1/2/Lsum F (Google rouge-score, Porter stemming on), beside
      Lead-1 (the first sentence), TextRank-1 (plain TextRank, one sentence) over TF-IDF cosine and over
      the word overlap the data README uses (Mihalcea & Tarau: shared words over log lengths), and
      the oracle (the single sentence with the best ROUGE-1 F, chosen knowing the reference), the
      last only to show the ceiling of one extracted sentence. Target: ROUGE-1 F >= 22.
  (b) bbc-news-summary: our key points (the summary sentence plus the key points, in source order,
      one per line for Lsum) against `summary_sentences` (one per line), beside Lead-3, Lead-k and
      TextRank-k (both similarities) with k = the number of sentences we output for that article,
      and TextRank-k over the sentences that pass `stands_alone` (the only ones ours may output). ROUGE-1 precision and
      recall and the average length (words, sentences) are printed as well, since the references
      are long (~7 sentences) and a short output is capped at low recall.
  (c) Articles per second of the spaCy analysis, of extraction and of the summarize stage alone
      (spaCy excluded), in this process with one worker.

Our pipeline runs exactly as in a build from plain text: each article becomes a CleanArticle of
md-escaped paragraphs, spaCy analyses `article_text`, `extract_article` splits sentences and
`summarize_article` picks them with the default Settings. Every baseline selects from the same
sentence split (`Article.sentences`), so the comparison is about selection, not splitting.
Diagnostics after each table say where the summary comes from, how often the lead sentence (and the
oracle or reference sentences) fail `stands_alone`, and by which rule.

Run from the repository root:

    python benchmarks/summaries.py                  # both sets, every article (about a minute)
    python benchmarks/summaries.py --limit 40       # a quick run: the first 40 articles of each set
    python benchmarks/summaries.py --data /path/to/shared/data

When the data folder (or one of the two sets in it) is missing the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from common import DEFAULT_DATA, REPO, read_jsonl
from rouge_score import rouge_scorer
from sklearn.feature_extraction.text import TfidfVectorizer

from generator.config import Settings, load_alias_tables
from generator.errors import BriefingError
from generator.extract import Aliases, article_text, build_aliases, extract_article
from generator.model import Article, Brief, CleanArticle
from generator.nlp import analyse, load_pipeline, main_clause
from generator.summarize import _CLOSE_QUOTES, _NEEDS_CONTEXT, _OPEN_QUOTES, stands_alone
from generator.summarize import summarize_article as summarize
from generator.text import md_escape, normalize_space, slugify

XSUM = "xsum-test-sample"
BBC = "bbc-news-summary"
XSUM_TARGET_R1 = 22.0
TEXTRANK_DAMPING = 0.85
TEXTRANK_MAX_ITER = 100
TEXTRANK_TOLERANCE = 1e-8
BOOTSTRAP_SAMPLES = 2000
ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")

Selection = list[list[str]]
"""Per article, the chosen sentences in the order they are output."""


@dataclass(frozen=True)
class Item:
    """One evaluation article: its paragraphs (plain text) and the reference summary sentences."""

    id: str
    paragraphs: tuple[str, ...]
    reference: tuple[str, ...]


@dataclass
class Processed:
    """Our pipeline's results over a set, with the wall time of each stage."""

    articles: list[Article]
    briefs: list[Brief]
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class Scores:
    """Per-article ROUGE figures (0..100) of one system."""

    name: str
    r1: np.ndarray
    r2: np.ndarray
    rlsum: np.ndarray
    r1_p: np.ndarray
    r1_r: np.ndarray
    words: np.ndarray
    sentences: np.ndarray
    note: str = ""


# --------------------------------------------------------------------------- data


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs are separated by blank lines (XSum) or newlines (BBC): split on any line break."""
    return tuple(p for p in (normalize_space(line) for line in text.splitlines()) if p)


def load_xsum(folder: Path, limit: int | None) -> list[Item]:
    rows = read_jsonl(folder / "articles.jsonl")[:limit]
    return [Item(str(r["id"]), split_paragraphs(r["text"]), (normalize_space(r["summary"]),)) for r in rows]


def load_bbc(folder: Path, limit: int | None) -> list[Item]:
    rows = read_jsonl(folder / "articles.jsonl")[:limit]
    return [
        Item(str(r["id"]), split_paragraphs(r["body"]), tuple(normalize_space(s) for s in r["summary_sentences"]))
        for r in rows
    ]


# --------------------------------------------------------------------------- our pipeline


def clean_of(item: Item) -> CleanArticle:
    """A CleanArticle as the cleaner would give for a plain-text seed with no headline."""
    return CleanArticle(
        source=item.id,
        headline=None,
        dek=None,
        paragraphs=tuple(md_escape(p) for p in item.paragraphs),
        captions=(),
        blocks=(),
        meta=(),
    )


def run_pipeline(items: Sequence[Item], nlp: object, aliases: Aliases, settings: Settings) -> Processed:
    """spaCy, extract and summarize, each stage timed on its own over the whole set."""
    cleans = [clean_of(item) for item in items]
    texts = [article_text(clean) for clean in cleans]
    start = time.perf_counter()
    docs = list(analyse(nlp, texts, processes=1))  # type: ignore[arg-type]
    spacy_seconds = time.perf_counter() - start
    start = time.perf_counter()
    articles = [
        extract_article(clean, doc, aliases, slugify(item.id))
        for clean, doc, item in zip(cleans, docs, items, strict=True)
    ]
    extract_seconds = time.perf_counter() - start
    start = time.perf_counter()
    briefs = [
        summarize(article, settings, lambda text: main_clause(nlp, text, settings.summary_max_words))  # type: ignore[arg-type]
        for article in articles
    ]
    summarize_seconds = time.perf_counter() - start
    return Processed(
        articles, briefs, {"spaCy analysis": spacy_seconds, "extract": extract_seconds, "summarize": summarize_seconds}
    )


def brief_indices(article: Article, brief: Brief) -> tuple[int | None, list[int]]:
    """Positions in `article.sentences` of the summary and of the key points."""
    used: set[int] = set()

    def find(text: str, paragraph: int | None) -> int | None:
        for i, sentence in enumerate(article.sentences):
            # A summary may be a sentence's main clause: the sentence holds it but for its final stop.
            same = sentence.text == text or (paragraph is None and text[:-1] in sentence.text)
            if i not in used and same and (paragraph is None or sentence.paragraph == paragraph):
                used.add(i)
                return i
        return None

    summary = find(brief.summary, None) if brief.summary else None
    points = [i for point in brief.key_points if (i := find(point.text, point.paragraph)) is not None]
    return summary, points


def ours_one_line(processed: Processed) -> Selection:
    return [[brief.summary] if brief.summary else [] for brief in processed.briefs]


def ours_key_points(processed: Processed) -> Selection:
    """Summary plus key points, in source order (as the article page lists them), the summary where its sentence is."""
    selection = []
    for article, brief in zip(processed.articles, processed.briefs, strict=True):
        summary, points = brief_indices(article, brief)
        lines = {i: article.sentences[i].text for i in points}
        if summary is not None:
            lines[summary] = brief.summary
        selection.append([lines[i] for i in sorted(lines)])
    return selection


# --------------------------------------------------------------------------- baselines


def tfidf_similarity(texts: Sequence[str]) -> np.ndarray | None:
    """Cosine of TF-IDF vectors (English stop words removed); None when no sentence has a content word."""
    try:
        vectors = TfidfVectorizer(stop_words="english").fit_transform(texts)
    except ValueError:
        return None
    return (vectors @ vectors.T).toarray()


def overlap_similarity(texts: Sequence[str]) -> np.ndarray:
    """Mihalcea & Tarau's measure, as the data README computes it: words shared over log |Si| + log |Sj|."""
    tokens = [re.findall(r"\w+", text.lower()) for text in texts]
    bags = [set(words) for words in tokens]
    logs = np.log(np.maximum([len(words) for words in tokens], 1))
    n = len(texts)
    similarity = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            if logs[i] + logs[j] > 0:
                similarity[i, j] = similarity[j, i] = len(bags[i] & bags[j]) / (logs[i] + logs[j])
    return similarity


SIMILARITIES = {"tfidf": tfidf_similarity, "overlap": overlap_similarity}


def textrank_ranking(texts: Sequence[str], similarity_of: str = "tfidf") -> list[int]:
    """Plain TextRank: PageRank by power iteration over a sentence similarity graph; best first, ties by position."""
    n = len(texts)
    if n < 2:
        return list(range(n))
    similarity = SIMILARITIES[similarity_of](texts)
    if similarity is None:
        return list(range(n))
    np.fill_diagonal(similarity, 0.0)
    rows = similarity.sum(axis=1, keepdims=True)
    transition = np.divide(similarity, rows, out=np.full_like(similarity, 1.0 / n), where=rows > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(TEXTRANK_MAX_ITER):
        updated = (1 - TEXTRANK_DAMPING) / n + TEXTRANK_DAMPING * transition.T @ rank
        converged = float(np.abs(updated - rank).sum()) < TEXTRANK_TOLERANCE
        rank = updated
        if converged:
            break
    return sorted(range(n), key=lambda i: (-rank[i], i))


def texts_of(article: Article) -> list[str]:
    return [s.text for s in article.sentences]


def lead(articles: Sequence[Article], ks: Sequence[int]) -> Selection:
    return [texts_of(a)[:k] for a, k in zip(articles, ks, strict=True)]


def textrank(
    articles: Sequence[Article],
    ks: Sequence[int],
    keep: Callable[[str], bool] = lambda _: True,
    similarity_of: str = "tfidf",
) -> Selection:
    """Top-k TextRank sentences among those `keep` accepts (ranked over all), output in article order."""
    selection = []
    for article, k in zip(articles, ks, strict=True):
        texts = texts_of(article)
        ranked = [i for i in textrank_ranking(texts, similarity_of) if keep(texts[i])]
        selection.append([texts[i] for i in sorted(ranked[:k])])
    return selection


def oracle_one(
    articles: Sequence[Article], items: Sequence[Item], scorer: rouge_scorer.RougeScorer, keep: Callable[[str], bool]
) -> tuple[Selection, list[int | None]]:
    """The single sentence (among those `keep` accepts) with the best ROUGE-1 F against the reference."""
    selection: Selection = []
    positions: list[int | None] = []
    for article, item in zip(articles, items, strict=True):
        reference = "\n".join(item.reference)
        best, best_f = None, -1.0
        for i, text in enumerate(texts_of(article)):
            if not keep(text):
                continue
            f = scorer.score(reference, text)["rouge1"].fmeasure
            if f > best_f:
                best, best_f = i, f
        positions.append(best)
        selection.append([] if best is None else [article.sentences[best].text])
    return selection, positions


# --------------------------------------------------------------------------- scoring


def score(name: str, selection: Selection, items: Sequence[Item], scorer: rouge_scorer.RougeScorer) -> Scores:
    """ROUGE F (and ROUGE-1 P/R) per article; sentences joined with newlines, as ROUGE-Lsum needs."""
    figures: dict[str, list[float]] = {key: [] for key in ("r1", "r2", "rlsum", "r1_p", "r1_r")}
    for chosen, item in zip(selection, items, strict=True):
        result = scorer.score("\n".join(item.reference), "\n".join(chosen))
        figures["r1"].append(result["rouge1"].fmeasure)
        figures["r2"].append(result["rouge2"].fmeasure)
        figures["rlsum"].append(result["rougeLsum"].fmeasure)
        figures["r1_p"].append(result["rouge1"].precision)
        figures["r1_r"].append(result["rouge1"].recall)
    arrays = {key: 100 * np.array(values) for key, values in figures.items()}
    words = np.array([sum(len(s.split()) for s in chosen) for chosen in selection], dtype=float)
    sentences = np.array([len(chosen) for chosen in selection], dtype=float)
    return Scores(name, words=words, sentences=sentences, **arrays)


def reference_length(items: Sequence[Item]) -> tuple[float, float]:
    words = [sum(len(s.split()) for s in item.reference) for item in items]
    return float(np.mean(words)), float(np.mean([len(item.reference) for item in items]))


def print_table(title: str, rows: Sequence[Scores], items: Sequence[Item]) -> None:
    print(f"\n{title}  ({len(items)} articles)")
    header = (
        f"{'system':<34} {'R-1 F':>6} {'R-2 F':>6} {'R-Ls F':>6} {'R-1 P':>6} {'R-1 R':>6} "
        f"{'words':>6} {'sents':>5} {'empty':>5}  note"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        empty = int((row.sentences == 0).sum())
        print(
            f"{row.name:<34} {row.r1.mean():6.2f} {row.r2.mean():6.2f} {row.rlsum.mean():6.2f} "
            f"{row.r1_p.mean():6.2f} {row.r1_r.mean():6.2f} {row.words.mean():6.1f} {row.sentences.mean():5.2f} "
            f"{empty:5d}  {row.note}"
        )
    ref_words, ref_sentences = reference_length(items)
    print(f"{'reference':<34} {'':>6} {'':>6} {'':>6} {'':>6} {'':>6} {ref_words:6.1f} {ref_sentences:5.2f}")


def print_comparison(ours: Scores, baselines: Sequence[Scores]) -> None:
    """Paired difference of ROUGE-1 F, ours minus each baseline: mean, bootstrap 95% interval, wins/ties/losses."""
    rng = np.random.default_rng(0)
    n = len(ours.r1)
    samples = rng.integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
    print(f"\n  ROUGE-1 F, {ours.name} minus baseline (paired, bootstrap 95% interval over articles)")
    for base in baselines:
        diff = ours.r1 - base.r1
        means = diff[samples].mean(axis=1)
        low, high = np.percentile(means, [2.5, 97.5])
        wins, ties = int((diff > 1e-9).sum()), int((np.abs(diff) <= 1e-9).sum())
        print(
            f"    vs {base.name:<32} {diff.mean():+6.2f}  [{low:+6.2f}, {high:+6.2f}]   "
            f"wins {wins:3d}  ties {ties:3d}  losses {n - wins - ties:3d}"
        )


# --------------------------------------------------------------------------- diagnostics


def rejection(text: str) -> str | None:
    """The first `stands_alone` rule a sentence breaks (None when it stands alone), in the function's order."""
    if stands_alone(text):
        return None
    words = text.split()
    if len(words) < 6:
        return "fewer than 6 words"
    if len(words) > 60:
        return "more than 60 words"
    if text.rstrip(_CLOSE_QUOTES + ")").endswith("?"):
        return "a question"
    if not re.search(r"[.!][”’\"')]*$", text):
        return "no final . or ! (e.g. ends in : or no stop)"
    if match := _NEEDS_CONTEXT.match(text):
        return f"opens with context word '{match.group(0).lower()}'"
    if text[0] in _OPEN_QUOTES:
        return "opens with a quotation mark"
    if text[0].islower():
        return "starts in lower case"
    if text.count("“") != text.count("”") or text.count('"') % 2:
        return "unbalanced quotation marks"
    if re.match(r"^[A-Z][\w.]* (?:added|continued|went on)\b", text):
        return "'X added / continued / went on'"
    return "other rule"


def print_rejections(label: str, texts: Sequence[str], top: int = 8) -> None:
    reasons = Counter(r for r in map(rejection, texts) if r is not None)
    rejected = sum(reasons.values())
    share = 100 * rejected / len(texts) if texts else 0.0
    print(f"  {label}: {rejected} of {len(texts)} ({share:.0f}%) fail stands_alone")
    grouped = Counter(
        "opens with a context word" if r.startswith("opens with context") else r for r in reasons.elements()
    )
    for reason, count in grouped.most_common():
        print(f"      {count:4d}  {reason}")
    context = Counter(r.split("'")[1] for r in reasons.elements() if r.startswith("opens with context"))
    if context:
        print("            context words: " + ", ".join(f"{w} {c}" for w, c in context.most_common(top)))


def position_histogram(positions: Sequence[int | None]) -> str:
    bins = Counter()
    for p in positions:
        if p is None:
            bins["none"] += 1
        elif p < 3:
            bins[f"{p + 1}"] += 1
        elif p < 5:
            bins["4-5"] += 1
        elif p < 10:
            bins["6-10"] += 1
        else:
            bins["11+"] += 1
    order = ["1", "2", "3", "4-5", "6-10", "11+", "none"]
    return ", ".join(f"{key}: {bins[key]}" for key in order if bins[key])


def xsum_diagnostics(
    processed: Processed, settings: Settings, oracle_positions: Sequence[int | None], rows: dict[str, Scores]
) -> None:
    articles, briefs = processed.articles, processed.briefs
    summary_positions = [brief_indices(a, b)[0] for a, b in zip(articles, briefs, strict=True)]
    first = [texts_of(a)[0] for a in articles if a.sentences]
    same_as_lead = sum(p == 0 for p in summary_positions)
    candidates = [[s.text for s in a.sentences if stands_alone(s.text)] for a in articles]
    first_candidate_long = sum(bool(c) and len(c[0].split()) > settings.summary_max_words for c in candidates)
    lead_ok = [rejection(t) is None for t in first]
    lead_fits = sum(ok and len(t.split()) <= settings.summary_max_words for ok, t in zip(lead_ok, first, strict=True))
    print("\n  where our summary comes from (sentence position in the article, 1 = lead):")
    print(f"      {position_histogram(summary_positions)}")
    print(f"  oracle sentence position: {position_histogram(oracle_positions)}")
    print(
        f"  ours = Lead-1 in {same_as_lead} of {len(articles)} articles; the lead stands alone and fits "
        f"summary_max_words ({settings.summary_max_words}) in {lead_fits}"
    )
    same_as_oracle = sum(p is not None and p == o for p, o in zip(summary_positions, oracle_positions, strict=True))
    print(
        f"  ours = oracle sentence in {same_as_oracle}; first standalone sentence longer than "
        f"{settings.summary_max_words} words in {first_candidate_long}"
    )
    print(
        f"  standalone candidates per article: median {np.median([len(c) for c in candidates]):.0f} of "
        f"{np.median([len(a.sentences) for a in articles]):.0f} sentences; no candidate in "
        f"{sum(not c for c in candidates)}"
    )
    print_rejections("Lead-1 sentences", first)
    oracle_texts = [texts_of(a)[p] for a, p in zip(articles, oracle_positions, strict=True) if p is not None]
    print_rejections("oracle sentences", oracle_texts)
    print_rejections("all sentences", [t for a in articles for t in texts_of(a)])
    ours, lead1 = rows["ours"], rows["lead"]
    differ = np.array([p != 0 for p in summary_positions])
    if differ.any():
        print(
            f"  where ours differs from Lead-1 ({int(differ.sum())} articles): ours R-1 {ours.r1[differ].mean():.2f}"
            f" vs Lead-1 {lead1.r1[differ].mean():.2f}; words {ours.words[differ].mean():.1f}"
            f" vs {lead1.words[differ].mean():.1f}"
        )


def sentence_hits(selection: Selection, items: Sequence[Item]) -> tuple[float, float]:
    """Share of output sentences that are reference sentences, and of reference sentences output (exact text)."""
    hits = outputs = references = 0
    for chosen, item in zip(selection, items, strict=True):
        reference = set(item.reference)
        hits += sum(s in reference for s in chosen)
        outputs += len(chosen)
        references += len(reference)
    return 100 * hits / max(1, outputs), 100 * hits / max(1, references)


def bbc_diagnostics(processed: Processed, items: Sequence[Item], selections: dict[str, Selection]) -> None:
    print("\n  exact-sentence agreement with the reference (precision = output sentences in the reference):")
    for name, selection in selections.items():
        precision, recall = sentence_hits(selection, items)
        print(f"      {name:<32} sentence P {precision:5.1f}  R {recall:5.1f}")
    positions = []
    for article, item in zip(processed.articles, items, strict=True):
        texts = texts_of(article)
        positions.extend(texts.index(s) for s in item.reference if s in texts)
    lead_share = 100 * sum(p < 3 for p in positions) / max(1, len(positions))
    print(
        f"  reference sentences found in our split: {len(positions)} of {sum(len(i.reference) for i in items)}; "
        f"{lead_share:.0f}% of them are among the first 3 sentences"
    )
    ks = Counter(len(chosen) for chosen in selections["ours"])
    print("  sentences we output per article: " + ", ".join(f"{k}: {n}" for k, n in sorted(ks.items())))
    first = [texts_of(a)[0] for a in processed.articles if a.sentences]
    print_rejections("Lead-1 sentences", first)
    reference_texts = [s for item in items for s in item.reference]
    print_rejections("reference sentences", reference_texts)


# --------------------------------------------------------------------------- the two evaluations


def evaluate_xsum(
    items: Sequence[Item], processed: Processed, scorer: rouge_scorer.RougeScorer, settings: Settings
) -> None:
    articles = processed.articles
    ones = [1] * len(articles)
    oracle, oracle_positions = oracle_one(articles, items, scorer, lambda _: True)
    oracle_alone, _ = oracle_one(articles, items, scorer, stands_alone)
    rows = {
        "ours": score("ours: Brief.summary", ours_one_line(processed), items, scorer),
        "lead": score("Lead-1", lead(articles, ones), items, scorer),
        "textrank": score("TextRank-1, TF-IDF cosine", textrank(articles, ones), items, scorer),
        "overlap": score("TextRank-1, word overlap", textrank(articles, ones, similarity_of="overlap"), items, scorer),
        "oracle": score("Oracle-1 (knows the reference)", oracle, items, scorer),
        "oracle_alone": score("Oracle-1, standalone sentences", oracle_alone, items, scorer),
    }
    r1 = rows["ours"].r1.mean()
    rows["ours"].note = f"target R-1 >= {XSUM_TARGET_R1:.0f}: {'MET' if r1 >= XSUM_TARGET_R1 else 'NOT MET'}"
    rows["lead"].note = "README: 15.85 / 1.55 / 11.55 (regex split)"
    rows["overlap"].note = "README: 19.00 / 2.39 / 13.16 (regex split)"
    rows["oracle"].note = "ceiling for one extracted sentence"
    rows["oracle_alone"].note = "ceiling under stands_alone"
    print_table(f"(a) {XSUM}: one-line summary vs the journalist's introduction", list(rows.values()), items)
    print_comparison(rows["ours"], [rows["lead"], rows["textrank"], rows["overlap"], rows["oracle"]])
    xsum_diagnostics(processed, settings, oracle_positions, rows)


def evaluate_bbc(items: Sequence[Item], processed: Processed, scorer: rouge_scorer.RougeScorer) -> None:
    articles = processed.articles
    ours = ours_key_points(processed)
    ks = [len(chosen) for chosen in ours]
    ref_ks = [len(item.reference) for item in items]
    selections = {
        "ours": ours,
        "Lead-3": lead(articles, [3] * len(articles)),
        "Lead-k (k = ours)": lead(articles, ks),
        "TextRank-k, TF-IDF cosine": textrank(articles, ks),
        "TextRank-k, word overlap": textrank(articles, ks, similarity_of="overlap"),
        "TextRank-k, standalone sentences": textrank(articles, ks, stands_alone),
        "TextRank-3": textrank(articles, [3] * len(articles)),
        "Lead-k (k = reference)": lead(articles, ref_ks),
        "TextRank-k (k = reference)": textrank(articles, ref_ks),
    }
    names = {"ours": "ours: summary + key points"}
    rows = [score(names.get(name, name), selection, items, scorer) for name, selection in selections.items()]
    rows[1].note = "README: 43.68 / 34.91 / 42.61"
    rows[3].note = rows[4].note = "k = ours"
    rows[5].note = "context: what ours may pick from, k = ours"
    rows[6].note = "context; README (word overlap): 56.99 / 48.94 / 55.99"
    rows[7].note = "context, oracle length; README: 63.69 / 50.39 / 62.36"
    rows[8].note = "context, oracle length; README (word overlap): 73.78 / 64.92 / 73.07"
    print_table(f"(b) {BBC}: key points vs the reference summary sentences", rows, items)
    print_comparison(rows[0], rows[1:6])
    bbc_diagnostics(processed, items, selections)


def print_speed(runs: dict[str, tuple[int, Processed]], textrank_seconds: dict[str, float]) -> None:
    print("\n(c) speed, one process, one worker (articles per second; higher is faster)")
    header = f"{'stage':<34} " + " ".join(f"{name:>18}" for name in runs)
    print(header)
    print("-" * len(header))
    stages = next(iter(runs.values()))[1].seconds
    for stage in stages:
        cells = []
        for count, processed in runs.values():
            seconds = processed.seconds[stage]
            cells.append(f"{count / seconds:10.1f} ({seconds:5.2f}s)" if seconds > 0 else f"{'-':>18}")
        print(f"{stage:<34} " + " ".join(cells))
    cells = [
        f"{count / textrank_seconds[name]:10.1f} ({textrank_seconds[name]:5.2f}s)" for name, (count, _) in runs.items()
    ]
    print(f"{'TextRank-1 baseline (for scale)':<34} " + " ".join(cells))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"shared data folder holding {XSUM}/, {BBC}/")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles of each set")
    args = parser.parse_args(argv)

    if not args.data.is_dir():
        print(f"No data folder at {args.data}; skipped (pass --data PATH holding {XSUM}/ and {BBC}/).")
        return 0
    sets: dict[str, Callable[[Path, int | None], list[Item]]] = {XSUM: load_xsum, BBC: load_bbc}
    found = {name: loader for name, loader in sets.items() if (args.data / name / "articles.jsonl").is_file()}
    for name in sets.keys() - found.keys():
        print(f"No {name}/articles.jsonl under {args.data}; that set is skipped.")
    if not found:
        return 0

    started = time.perf_counter()
    settings = Settings()
    try:
        nlp = load_pipeline(settings.nlp_model)
    except BriefingError as error:
        print(error)
        return 1
    aliases = build_aliases(*load_alias_tables(REPO, settings))
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    print(
        f"Summarizer benchmark: data {args.data}, spaCy {nlp.meta.get('name')} {nlp.meta.get('version')}, "
        f"summary_max_words {settings.summary_max_words}, key_points {settings.key_points}"
    )

    runs: dict[str, tuple[int, Processed]] = {}
    textrank_seconds: dict[str, float] = {}
    for name, loader in found.items():
        items = loader(args.data / name, args.limit)
        # Warm-up so that no timing pays for lazy loading (spaCy vectors, sklearn imports).
        warm = run_pipeline(items[:1], nlp, aliases, settings)
        textrank(warm.articles, [1])
        processed = run_pipeline(items, nlp, aliases, settings)
        start = time.perf_counter()
        textrank(processed.articles, [1] * len(items))
        textrank_seconds[name] = time.perf_counter() - start
        runs[name] = (len(items), processed)
        if name == XSUM:
            evaluate_xsum(items, processed, scorer, settings)
        else:
            evaluate_bbc(items, processed, scorer)

    print_speed(runs, textrank_seconds)
    print(f"\ntotal runtime {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
