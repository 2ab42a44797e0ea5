"""Benchmark of the extract stage (generator.extract) against hand labels: entities, quote speakers, speed.

What it measures, on the 30 hand-labelled articles of tests/data/extract_labels.json (see
tests/data/extract_labels.md; 10 each from xsum-test-sample, ecbplus-event-clusters and
wikiref220-news-clusters). The article texts are read from the shared data folder (default:
../shared/data) by dataset and id; the repository holds only the labels.

  1. Entities: precision, recall and F1 over (canonical name, kind) pairs, micro-averaged over all
     articles, per kind and per dataset, and a relaxed variant on the name alone. Kinds: person,
     organization, place, group, event (a predicted 'theme' is ignored). Names are compared
     case-insensitively after stripping a leading "the ". Target: F1 >= 0.85.
  2. Quotes: each labelled quotation is looked up among our quotes of that article by its first
     words (whitespace and quote marks normalised; a prefix match either way first, then "contains").
     Quote-speaker accuracy = share of labelled quotes found AND given the labelled speaker (a null
     label matches None). Quote recall and speaker accuracy among found quotes are printed too.
     Target: quote-speaker accuracy >= 0.90.
  3. Speed: words per second of spaCy alone (nlp.pipe over the same texts with the same loaded
     components) against the whole extract stage (the same nlp.pipe plus extract_article), best of
     three runs each, and the overhead of extract_article (timed alone on ready docs, best of three)
     as a share of spaCy's time. Target: overhead <= 25%.

Then the most frequent false positives and false negatives, the wrongly attributed quotes (article id
and quote_start only) and a count of entity and quote errors by class.

Our pipeline runs as in a build from plain text: paragraphs are the text split on blank lines (XSum,
WikiRef), and for ECB+ (one sentence per line) each line is a paragraph, as the cleaner reads a
plain-text seed line by line; `--ecb-join N` instead joins N consecutive lines into one paragraph.
Each paragraph is md-escaped into a CleanArticle, spaCy analyses `article_text` (analyse_text) and
`extract_article` runs with the shipped alias table (plus the project's aliases.yml, if any).

Run from the repository root:

    python benchmarks/extract.py
    python benchmarks/extract.py --ecb-join 3
    python benchmarks/extract.py --data /path/to/shared/data --labels tests/data/extract_labels.json
    python benchmarks/extract.py --half 1   # only the articles of one half (split by id)

`--half 1` and `--half 2` split the sample by id: within each dataset, the articles sorted by id are
dealt alternately to half 1 and half 2 (5 + 5 of each dataset), so a change of a rule or threshold can
be checked on articles it was not looked at on.

When the data folder is missing the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common import DEFAULT_DATA, REPO, read_jsonl

from generator.analyse import _pipeline, analyse_text
from generator.config import Settings, load_alias_tables
from generator.errors import BriefingError
from generator.extract import Aliases, article_text, build_aliases, extract_article
from generator.model import Article, CleanArticle
from generator.text import md_escape, normalize_space

if TYPE_CHECKING:
    from spacy.language import Language

DEFAULT_LABELS = REPO / "tests" / "data" / "extract_labels.json"
ECB = "ecbplus-event-clusters"
KINDS = ("person", "organization", "place", "group", "event")
TARGET_F1 = 0.85
TARGET_QUOTE_SPEAKER = 0.90
TARGET_OVERHEAD = 25.0
TIMING_RUNS = 3
TOP = 15
_DOUBLE_QUOTES = dict.fromkeys(map(ord, "“”„‟″«»"), '"')
_SINGLE_QUOTES = dict.fromkeys(map(ord, "‘’‚‛′"), "'")
_TRAILING = ",.;:!?"

Pair = tuple[str, str]
"""(normalised name, kind)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Labelled:
    """One labelled article: its paragraphs and gold labels."""

    dataset: str
    id: str
    paragraphs: tuple[str, ...]
    entities: tuple[Pair, ...]
    """(name as labelled, kind)."""
    quotes: tuple[tuple[str, str | None], ...]
    """(quote_start, speaker or None), in text order."""


def split_paragraphs(dataset: str, text: str, ecb_join: int) -> tuple[str, ...]:
    """Blank-line paragraphs; ECB+ lines (one sentence each) grouped ecb_join at a time."""
    if dataset == ECB:
        lines = [normalize_space(line) for line in text.splitlines()]
        lines = [line for line in lines if line]
        return tuple(" ".join(lines[i : i + ecb_join]) for i in range(0, len(lines), ecb_join))
    blocks = re.split(r"\n\s*\n", text)
    return tuple(p for p in (normalize_space(b) for b in blocks) if p)


def load_labelled(labels_path: Path, data: Path, ecb_join: int) -> list[Labelled]:
    labels = json.loads(labels_path.read_text(encoding="utf-8"))["articles"]
    texts: dict[str, dict[str, str]] = {}
    items = []
    for record in labels:
        dataset = record["dataset"]
        if dataset not in texts:
            path = data / dataset / "articles.jsonl"
            if not path.is_file():
                print(f"note: {path} is missing; its labelled articles are skipped")
                texts[dataset] = {}
            else:
                texts[dataset] = {str(r["id"]): r["text"] for r in read_jsonl(path)}
        text = texts[dataset].get(str(record["id"]))
        if text is None:
            if texts[dataset]:
                print(f"note: {dataset} has no article {record['id']!r}; skipped")
            continue
        items.append(
            Labelled(
                dataset=dataset,
                id=str(record["id"]),
                paragraphs=split_paragraphs(dataset, text, ecb_join),
                entities=tuple((e["name"], e["kind"]) for e in record["entities"]),
                quotes=tuple((q["quote_start"], q["speaker"]) for q in record["quotes"]),
            )
        )
    return items


def half(items: Sequence[Labelled], number: int) -> list[Labelled]:
    """Half 1 or 2 of the sample: per dataset, every other article in id order."""
    chosen = []
    for dataset in sorted({item.dataset for item in items}):
        ordered = sorted((item for item in items if item.dataset == dataset), key=lambda item: item.id)
        chosen += ordered[number - 1 :: 2]
    return chosen


def clean_of(item: Labelled) -> CleanArticle:
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


# --------------------------------------------------------------------------- entities


def norm_name(name: str) -> str:
    name = normalize_space(name.translate(_SINGLE_QUOTES)).casefold()
    return re.sub(r"^the\s+", "", name)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[Any], predicted: set[Any]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self, label: str) -> str:
        return (
            f"  {label:<28} P {self.precision:6.3f}  R {self.recall:6.3f}  F1 {self.f1:6.3f}"
            f"   (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


@dataclass
class EntityErrors:
    """Per article, the gold and predicted pairs that did not match, for the error classes."""

    false_positives: Counter[Pair] = field(default_factory=Counter)
    false_negatives: Counter[Pair] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def note(self, error_class: str, example: str) -> None:
        self.classes[error_class] += 1
        if len(self.examples[error_class]) < 4:
            self.examples[error_class].append(example)


def gold_pairs(item: Labelled) -> dict[Pair, str]:
    """Normalised (name, kind) -> name as labelled."""
    return {(norm_name(name), kind): name for name, kind in item.entities}


def predicted_pairs(article: Article) -> dict[Pair, str]:
    return {(norm_name(e.name), e.kind): e.name for e in article.entities if e.kind in KINDS}


def _words(name: str) -> set[str]:
    return set(re.findall(r"\w+", name))


def _is_part(short: str, full: str) -> bool:
    """Every word of short is a word of the longer name full."""
    return short != full and bool(_words(short)) and _words(short) <= _words(full)


def classify_entities(gold: dict[Pair, str], predicted: dict[Pair, str], item_id: str, errors: EntityErrors) -> None:
    """Put each unmatched gold and predicted pair in one error class."""
    gold_kind = dict(gold.keys())
    pred_kind = dict(predicted.keys())
    for pair in sorted(set(gold) - set(predicted)):
        name, kind = pair
        shown = f"{gold[pair]} ({kind}) [{item_id}]"
        errors.false_negatives[(gold[pair], kind)] += 1
        if name in pred_kind:
            errors.note(f"FN kind confusion: gold {kind} -> ours {pred_kind[name]}", shown)
        elif any(_is_part(p, name) for p in pred_kind):
            parts = [predicted[(p, pred_kind[p])] for p in pred_kind if _is_part(p, name)]
            errors.note("FN only a shorter form found (surname/short name/alias not merged)", f"{shown} <- {parts}")
        elif any(_is_part(name, p) for p in pred_kind):
            longer = [predicted[(p, pred_kind[p])] for p in pred_kind if _is_part(name, p)]
            errors.note("FN only a longer form found (title or extra words on the name)", f"{shown} <- {longer}")
        elif any(_words(name) & _words(p) for p in pred_kind):
            near = [predicted[(p, pred_kind[p])] for p in pred_kind if _words(name) & _words(p)]
            errors.note("FN overlapping but different name", f"{shown} ~ {near}")
        else:
            errors.note("FN missed entirely (no predicted name shares a word)", shown)
    for pair in sorted(set(predicted) - set(gold)):
        name, kind = pair
        shown = f"{predicted[pair]} ({kind}) [{item_id}]"
        errors.false_positives[(predicted[pair], kind)] += 1
        if name in gold_kind:
            errors.note(f"FP kind confusion: ours {kind}, gold {gold_kind[name]}", shown)
        elif any(_is_part(name, g) for g in gold_kind):
            errors.note("FP part of a gold name (not canonicalised to the full name)", shown)
        elif any(_is_part(g, name) for g in gold_kind):
            errors.note("FP gold name plus extra words (title, span too long)", shown)
        elif any(_words(name) & _words(g) for g in gold_kind):
            errors.note("FP overlapping a gold name", shown)
        else:
            errors.note("FP spurious (no gold name shares a word)", shown)


# --------------------------------------------------------------------------- quotes


def norm_quote(text: str) -> str:
    text = normalize_space(text.translate(_DOUBLE_QUOTES).translate(_SINGLE_QUOTES)).casefold()
    return text.strip(" '\"")


@dataclass(frozen=True)
class QuoteResult:
    dataset: str
    article: str
    quote_start: str
    label: str | None
    ours: str | None
    found: bool

    @property
    def speaker_ok(self) -> bool:
        if self.label is None or self.ours is None:
            return self.label is None and self.ours is None
        return norm_name(self.label) == norm_name(self.ours)


def match_quotes(item: Labelled, article: Article) -> tuple[list[QuoteResult], int]:
    """Each labelled quote -> our quote (prefix match either way first, then containment); and the
    number of our quotes that no label matched."""
    ours = [(norm_quote(q.text), q.speaker) for q in article.quotes]
    used: set[int] = set()
    results = []
    for start, speaker in item.quotes:
        key = norm_quote(start).rstrip(_TRAILING)
        free = [(i, text) for i, (text, _) in enumerate(ours) if i not in used]
        hit = next((i for i, text in free if _starts_alike(key, text)), None)
        if hit is None:
            hit = next((i for i, text in free if key in text), None)
        if hit is not None:
            used.add(hit)
        results.append(
            QuoteResult(
                item.dataset, item.id, start, speaker, ours[hit][1] if hit is not None else None, hit is not None
            )
        )
    return results, len(ours) - len(used)


def _starts_alike(key: str, text: str) -> bool:
    """One normalised start is a prefix of the other."""
    short = text.rstrip(_TRAILING)
    return text.startswith(key) or (bool(short) and key.startswith(short))


# --------------------------------------------------------------------------- speed


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def measure_speed(
    nlp: Language, cleans: Sequence[CleanArticle], ids: Sequence[str], aliases: Aliases
) -> dict[str, float]:
    texts = [article_text(clean) for clean in cleans]
    words = sum(len(text.split()) for text in texts)
    docs = list(nlp.pipe(texts, batch_size=32))  # warm-up, and the docs for timing extract alone

    def spacy_only() -> None:
        list(nlp.pipe(texts, batch_size=32))

    def whole_stage() -> None:
        for clean, doc, article_id in zip(cleans, nlp.pipe(texts, batch_size=32), ids, strict=True):
            extract_article(clean, doc, aliases, article_id)

    def extract_only() -> None:
        for clean, doc, article_id in zip(cleans, docs, ids, strict=True):
            extract_article(clean, doc, aliases, article_id)

    return {
        "words": float(words),
        "spacy": best_of(TIMING_RUNS, spacy_only),
        "whole": best_of(TIMING_RUNS, whole_stage),
        "extract": best_of(TIMING_RUNS, extract_only),
    }


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "meets target" if ok else "misses target"


def print_entities(items: Sequence[Labelled], articles: Sequence[Article]) -> tuple[Counts, EntityErrors]:
    overall, relaxed = Counts(), Counts()
    by_kind: dict[str, Counts] = {kind: Counts() for kind in KINDS}
    by_dataset: dict[str, Counts] = defaultdict(Counts)
    errors = EntityErrors()
    for item, article in zip(items, articles, strict=True):
        gold, predicted = gold_pairs(item), predicted_pairs(article)
        overall.add(set(gold), set(predicted))
        relaxed.add({name for name, _ in gold}, {name for name, _ in predicted})
        by_dataset[item.dataset].add(set(gold), set(predicted))
        for kind in KINDS:
            by_kind[kind].add({p for p in gold if p[1] == kind}, {p for p in predicted if p[1] == kind})
        classify_entities(gold, predicted, item.id, errors)
    print(f"1. Entities, micro-averaged over {len(items)} articles (target F1 >= {TARGET_F1:.2f})")
    print(overall.row("strict (name, kind)") + f"   {verdict(overall.f1 >= TARGET_F1)}")
    print(relaxed.row("relaxed (name only)"))
    print("  per kind:")
    for kind, counts in by_kind.items():
        print("  " + counts.row(kind))
    print("  per dataset:")
    for dataset in sorted(by_dataset):
        print("  " + by_dataset[dataset].row(dataset))
    return overall, errors


def print_quotes(items: Sequence[Labelled], articles: Sequence[Article]) -> tuple[float, list[QuoteResult]]:
    results: list[QuoteResult] = []
    unmatched_ours = 0
    ours_total = 0
    for item, article in zip(items, articles, strict=True):
        found, extra = match_quotes(item, article)
        results += found
        unmatched_ours += extra
        ours_total += len(article.quotes)
    print()
    print(
        f"2. Quotes: {len(results)} labelled, {ours_total} of ours (target quote-speaker accuracy >= "
        f"{TARGET_QUOTE_SPEAKER:.2f})"
    )
    accuracy = _quote_rows(results, "all")
    print(f"  {'':<28} {verdict(accuracy >= TARGET_QUOTE_SPEAKER)}")
    for dataset in sorted({r.dataset for r in results}):
        _quote_rows([r for r in results if r.dataset == dataset], dataset)
    print(f"  our quotes matching no label: {unmatched_ours} of {ours_total}")
    return accuracy, results


def _quote_rows(results: Sequence[QuoteResult], label: str) -> float:
    n = len(results)
    found = [r for r in results if r.found]
    right = [r for r in found if r.speaker_ok]
    accuracy = len(right) / n if n else 0.0
    print(
        f"  {label:<28} quote-speaker acc {accuracy:6.3f} ({len(right)}/{n})   recall {len(found) / n if n else 0:6.3f}"
        f" ({len(found)}/{n})   speaker acc among found {len(right) / len(found) if found else 0:6.3f}"
    )
    return accuracy


def print_speed(speed: dict[str, float], pipe_names: Iterable[str]) -> float:
    words = speed["words"]
    overhead = 100 * speed["extract"] / speed["spacy"]
    print()
    print(f"3. Speed, {int(words)} words, best of {TIMING_RUNS} (components: {', '.join(pipe_names)})")
    print(f"  spaCy alone (nlp.pipe)           {speed['spacy']:7.3f} s   {words / speed['spacy']:9.0f} words/s")
    print(f"  whole extract stage              {speed['whole']:7.3f} s   {words / speed['whole']:9.0f} words/s")
    print(f"  extract_article alone            {speed['extract']:7.3f} s   {words / speed['extract']:9.0f} words/s")
    print(
        f"  overhead of extract_article: {overhead:+.1f}% of spaCy's time (whole minus spaCy: "
        f"{100 * (speed['whole'] - speed['spacy']) / speed['spacy']:+.1f}%)   target <= +{TARGET_OVERHEAD:.0f}%   "
        f"{verdict(overhead <= TARGET_OVERHEAD)}"
    )
    return overhead


def print_errors(errors: EntityErrors, quotes: Sequence[QuoteResult]) -> None:
    print()
    print(f"Most frequent false positives (top {TOP}):")
    for (name, kind), n in errors.false_positives.most_common(TOP):
        print(f"  {n:3d}  {name} ({kind})")
    print(f"Most frequent false negatives (top {TOP}):")
    for (name, kind), n in errors.false_negatives.most_common(TOP):
        print(f"  {n:3d}  {name} ({kind})")
    print()
    print("Entity errors by class (each unmatched pair counted once):")
    for error_class, n in sorted(errors.classes.items(), key=lambda kv: (kv[0][:2], -kv[1], kv[0])):
        print(f"  {n:3d}  {error_class}")
        for example in errors.examples[error_class]:
            print(f"         e.g. {example}")
    print()
    wrong = [r for r in quotes if r.found and not r.speaker_ok]
    print(f"Wrongly attributed quotes ({len(wrong)}): label speaker vs ours")
    for r in wrong:
        print(f"  [{r.article}] {r.quote_start!r}: {r.label} vs {r.ours}")
    missing = [r for r in quotes if not r.found]
    print(f"Labelled quotes not found ({len(missing)}):")
    for r in missing:
        print(f"  [{r.article}] {r.quote_start!r} (speaker {r.label})")
    kinds = Counter(
        "label null, ours named"
        if r.label is None
        else "label named, ours None"
        if r.ours is None
        else "both named, different"
        for r in wrong
    )
    print(
        "Quote errors by class: " + ", ".join(f"{k}: {n}" for k, n in kinds.most_common()) + f", not found: "
        f"{len(missing)}"
    )


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder (default: %(default)s)")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="hand labels (default: %(default)s)")
    parser.add_argument(
        "--ecb-join", type=int, default=1, metavar="N", help="ECB+ lines per paragraph (default 1: each line)"
    )
    parser.add_argument(
        "--half", type=int, choices=(1, 2), help="only the articles of this half of the sample (split by id)"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"No data folder at {args.data}: nothing to measure (pass --data /path/to/shared/data).")
        return 0
    if not args.labels.is_file():
        print(f"No labels file at {args.labels} (pass --labels).")
        return 1
    items = load_labelled(args.labels, args.data, max(1, args.ecb_join))
    if args.half:
        items = half(items, args.half)
    if not items:
        print(f"None of the labelled articles was found under {args.data}: nothing to measure.")
        return 0
    started = time.perf_counter()
    settings = Settings()
    try:
        nlp = _pipeline(settings.nlp_model)
    except BriefingError as error:
        print(f"error: {error}")
        return 1
    aliases = build_aliases(*load_alias_tables(REPO, settings))
    cleans = [clean_of(item) for item in items]
    articles = [
        extract_article(clean, analyse_text(nlp, article_text(clean)), aliases, item.id)
        for clean, item in zip(cleans, items, strict=True)
    ]
    per_dataset = ", ".join(f"{dataset} {n}" for dataset, n in Counter(i.dataset for i in items).items())
    print(
        f"Extract benchmark: {len(items)} articles ({per_dataset}); ECB+ lines per paragraph: {max(1, args.ecb_join)}"
    )
    print()
    overall, errors = print_entities(items, articles)
    accuracy, quotes = print_quotes(items, articles)
    overhead = print_speed(measure_speed(nlp, cleans, [i.id for i in items], aliases), nlp.pipe_names)
    print_errors(errors, quotes)
    print()
    print("Summary against targets:")
    print(f"  entity F1 {overall.f1:.3f} (>= {TARGET_F1:.2f}: {verdict(overall.f1 >= TARGET_F1)})")
    print(
        f"  quote-speaker accuracy {accuracy:.3f} (>= {TARGET_QUOTE_SPEAKER:.2f}: "
        f"{verdict(accuracy >= TARGET_QUOTE_SPEAKER)})"
    )
    print(f"  extract overhead {overhead:+.1f}% (<= +{TARGET_OVERHEAD:.0f}%: {verdict(overhead <= TARGET_OVERHEAD)})")
    print(f"  run time {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
