"""Benchmark of the article cleaner (generator.clean) on the article-extraction benchmark.

What it measures: how well `clean_article` separates the article body from page boilerplate, as
word-4-gram precision, recall and F1 against the benchmark's `articleBody` (macro-averaged over
pages, computed by the shared reference scorer `shared/tools/score.py`, never re-implemented
here), plus pages per second in this process.

  (a) HTML input: each page's HTML as a RawArticle of kind "html" through our full cleaner, against
      `trafilatura.extract` run on the same pages in the same process, with the benchmark's
      published outputs of other extractors (baseline-outputs/*.jsonl) scored alongside.
      Target: our F1 above trafilatura's in the same run.
  (b) Text input: the whole visible text of each page (baseline-outputs/html-text.jsonl) as a
      RawArticle of kind "text", against the same text left uncleaned. Target: F1 >= 0.90.

The predicted body is the cleaned paragraphs as plain text, blank-line separated; the headline is
never part of it (the "+ dek" rows add the dek). A page where the cleaner raises SeedError counts
as an empty prediction. For each input the 10 pages with the lowest F1 are listed, and a role
table shows which line roles hold text that is (not) in the true body.

Run from the repository root:

    python benchmarks/cleaning.py                 # all pages of the shared split
    python benchmarks/cleaning.py --limit 20      # a quick run
    python benchmarks/cleaning.py --save /tmp/cleaning-preds   # also write per-page predictions

Data lives outside the repository (default: ../shared/data from the repository root); when it is
missing the script says so and exits 0. Never save predictions inside the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import trafilatura
from common import DEFAULT_DATA, REPO, load_scorer, read_jsonl

from generator.clean import BODY_ROLES, chrome_lines, clean_article
from generator.config import Settings
from generator.errors import SeedError
from generator.ingest import decode_text
from generator.model import CleanArticle, RawArticle
from generator.text import markdown_to_plain

DEFAULT_SCORER = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score.py"
BENCHMARK = "article-extraction-benchmark"
BASELINE_ORDER = (
    "trafilatura",
    "readability_js",
    "readability",
    "newspaper",
    "goose3",
    "boilerpipe",
    "justext",
    "html-text",
)
TEXT_TARGET_F1 = 0.90
WORST_PAGES = 10
IN_TRUTH_SHARE = 0.5
"""A line counts as article text when at least this share of its 4-grams occur in the true body (role table only)."""

PRF = tuple[float, float, float]


@dataclass
class Run:
    """One system's predictions over the pages, in page order."""

    name: str
    predictions: list[str]
    seconds: float | None = None
    """Wall time of producing the predictions in this process; None for published outputs."""
    failures: int = 0
    """Pages where the system gave up (SeedError, or None from trafilatura)."""
    note: str = ""


@dataclass
class Page:
    id: str
    truth: str
    lang: str


@dataclass
class Cleaned:
    """Our cleaner's results over the pages: the CleanArticle, or None when it raised SeedError."""

    articles: list[CleanArticle | None]
    seconds: float
    reasons: Counter[str] = field(default_factory=Counter)


def load_pages(folder: Path, limit: int | None) -> list[Page]:
    rows = read_jsonl(folder / "ground-truth.jsonl")
    pages = sorted((Page(str(r["id"]), r.get("articleBody") or "", r.get("html_lang") or "") for r in rows), key=_id)
    return pages[:limit] if limit else pages


def _id(page: Page) -> str:
    return page.id


def load_html(folder: Path, pages: Sequence[Page]) -> list[str]:
    """Each page decoded as ingest decodes an .html.gz seed (UTF-8 or detected, mojibake repaired)."""
    texts = []
    for page in pages:
        data = gzip.decompress((folder / "html" / f"{page.id}.html.gz").read_bytes())
        texts.append(decode_text(data, f"{page.id}.html.gz"))
    return texts


def load_baseline(path: Path, pages: Sequence[Page]) -> Run:
    rows = read_jsonl(path)
    by_id = {str(r["id"]): r.get("articleBody") or "" for r in rows}
    version = next((str(r["version"]) for r in rows if r.get("version")), "")
    system = next((str(r["system"]) for r in rows if r.get("system")), path.stem)
    missing = sum(page.id not in by_id for page in pages)
    note = "published output" + (f" {version}" if version else "") + (f", {missing} missing" if missing else "")
    return Run(f"{system} (published)", [by_id.get(page.id, "") for page in pages], note=note)


def body_text(article: CleanArticle | None, with_dek: bool = False) -> str:
    """The predicted articleBody: paragraphs as plain text, blank-line separated, no headline."""
    if article is None:
        return ""
    parts = [markdown_to_plain(p) for p in article.paragraphs]
    if with_dek and article.dek:
        parts.insert(0, article.dek)
    return "\n\n".join(parts)


def lines_before_roles(article: CleanArticle | None) -> str:
    """Every line the cleaner read, whatever role it got (headline left out): the text before line roles."""
    if article is None:
        return ""
    return "\n\n".join(markdown_to_plain(b.text) for b in article.blocks if b.role != "headline")


def run_cleaner(raws: list[RawArticle], settings: Settings) -> Cleaned:
    """The cleaner as the pipeline runs it: chrome over the whole run, then one article at a time."""
    articles: list[CleanArticle | None] = []
    reasons: Counter[str] = Counter()
    start = time.perf_counter()
    chrome = chrome_lines(tuple(raws))
    for raw in raws:
        try:
            articles.append(clean_article(raw, chrome, settings))
        except SeedError as error:
            articles.append(None)
            reasons[error.reason] += 1
    return Cleaned(articles, time.perf_counter() - start, reasons)


def run_trafilatura(htmls: Sequence[str]) -> Run:
    predictions: list[str] = []
    failures = 0
    start = time.perf_counter()
    for html in htmls:
        text = trafilatura.extract(html, include_comments=False, include_tables=False)
        failures += text is None
        predictions.append(text or "")
    seconds = time.perf_counter() - start
    note = f"trafilatura {trafilatura.__version__}, same process"
    return Run("trafilatura.extract (this run)", predictions, seconds, failures, note)


def cleaner_runs(label: str, cleaned: Cleaned, before_roles_note: str) -> list[Run]:
    failures = sum(a is None for a in cleaned.articles)
    return [
        Run(f"ours: clean_article ({label})", [body_text(a) for a in cleaned.articles], cleaned.seconds, failures),
        Run(f"ours + dek ({label})", [body_text(a, True) for a in cleaned.articles], cleaned.seconds, failures),
        Run(
            "ours, all lines before roles",
            [lines_before_roles(a) for a in cleaned.articles],
            None,
            failures,
            before_roles_note,
        ),
    ]


class Scorer:
    """Thin wrapper around the reference scorer: corpus figures and per-page figures."""

    def __init__(self, module: ModuleType, pages: Sequence[Page]) -> None:
        self.prf: Callable[[list[tuple[str, str]]], PRF] = module.extraction_prf
        self.shingles: Callable[..., Counter] = module.shingles
        self.pages = pages

    def corpus(self, predictions: Sequence[str], keep: Callable[[Page], bool] | None = None) -> PRF | None:
        pairs = [(pred, page.truth) for pred, page in zip(predictions, self.pages, strict=True)]
        if keep:
            pairs = [pair for pair, page in zip(pairs, self.pages, strict=True) if keep(page)]
        return self.prf(pairs) if pairs else None

    def page(self, prediction: str, truth: str) -> tuple[float | None, float, float]:
        """Per-page P, R, F1 by the same scorer; precision is undefined (None) for an empty prediction."""
        if not self.shingles(prediction) and self.shingles(truth):
            return None, 0.0, 0.0
        return self.prf([(prediction, truth)])

    def in_truth(self, line: str, truth: str, truth_grams: Counter) -> bool:
        """Most of the line's 4-grams occur in the truth; a line under 4 words must occur there whole."""
        grams = self.shingles(line)
        if not grams:
            return False
        size = len(next(iter(grams)))
        if size < 4:
            return bool(grams & self.shingles(truth, size))
        return sum((grams & truth_grams).values()) >= IN_TRUTH_SHARE * sum(grams.values())


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def print_table(title: str, runs: Sequence[Run], scorer: Scorer, target: Callable[[Run, float], str]) -> None:
    n = len(scorer.pages)
    print(f"\n{title}  ({n} pages)")
    header = f"{'system':<38} {'P':>6} {'R':>6} {'F1':>6} {'pages/s':>8} {'empty':>5}  note"
    print(header)
    print("-" * max(len(header), 100))
    for run in runs:
        p, r, f = scorer.corpus(run.predictions) or (0.0, 0.0, 0.0)
        speed = f"{n / run.seconds:8.1f}" if run.seconds else f"{'':>8}"
        empty = sum(not scorer.shingles(pred) for pred in run.predictions)
        note = "; ".join(part for part in (run.note, target(run, f)) if part)
        print(f"{run.name:<38} {p:6.3f} {r:6.3f} {f:6.3f} {speed} {empty:5d}  {note}")


def _english(page: Page) -> bool:
    """English by html_lang, or unmarked (the benchmark's unmarked pages are mostly English)."""
    return not page.lang or page.lang.lower().startswith("en")


def print_language_split(run: Run, scorer: Scorer) -> None:
    parts = []
    for label, keep in (("English or unmarked", _english), ("other html_lang", lambda page: not _english(page))):
        count = sum(keep(page) for page in scorer.pages)
        figures = scorer.corpus(run.predictions, keep)
        if figures:
            parts.append(f"{label} ({count}): P {figures[0]:.3f} R {figures[1]:.3f} F1 {figures[2]:.3f}")
    print(f"  {run.name} by page language: " + "; ".join(parts))


def print_worst(run: Run, scorer: Scorer, reference: Run | None) -> None:
    rows = []
    for index, (pred, page) in enumerate(zip(run.predictions, scorer.pages, strict=True)):
        p, r, f = scorer.page(pred, page.truth)
        ref_f = scorer.page(reference.predictions[index], page.truth)[2] if reference else None
        rows.append((f, page.id, page, p, r, ref_f, len(pred.split())))
    rows.sort(key=lambda row: row[:2])
    ref_head = f" {'ref F1':>6}" if reference else ""
    print(f"\n  {WORST_PAGES} lowest-F1 pages of {run.name}" + (f" (ref = {reference.name})" if reference else ""))
    print(f"  {'id':<16} {'lang':<5} {'P':>6} {'R':>6} {'F1':>6}{ref_head} {'pred words':>10} {'true words':>10}")
    for f, _, page, p, r, ref_f, pred_words in rows[:WORST_PAGES]:
        ref = f" {_fmt(ref_f):>6}" if reference else ""
        print(
            f"  {page.id[:16]:<16} {page.lang[:5]:<5} {_fmt(p):>6} {r:6.3f} {f:6.3f}{ref} "
            f"{pred_words:10d} {len(page.truth.split()):10d}"
        )


def print_roles(cleaned: Cleaned, scorer: Scorer) -> None:
    """Per role: lines and words, and how many of them are article text by the truth's 4-grams."""
    lines: Counter[str] = Counter()
    words: Counter[str] = Counter()
    true_lines: Counter[str] = Counter()
    true_words: Counter[str] = Counter()
    for article, page in zip(cleaned.articles, scorer.pages, strict=True):
        if article is None:
            continue
        truth_grams = scorer.shingles(page.truth)
        for block in article.blocks:
            plain = markdown_to_plain(block.text)
            count = len(plain.split())
            lines[block.role] += 1
            words[block.role] += count
            if scorer.in_truth(plain, page.truth, truth_grams):
                true_lines[block.role] += 1
                true_words[block.role] += count
    print("\n  line roles (kept = body, subheading); 'in truth' = most of the line's 4-grams are in articleBody")
    print("  (a line under 4 words: its words occur together in articleBody)")
    print(f"  {'role':<14} {'kept':<4} {'lines':>6} {'in truth':>8} {'words':>7} {'in truth':>8}")
    for role, _ in lines.most_common():
        kept = "yes" if role in BODY_ROLES else "no"
        print(f"  {role:<14} {kept:<4} {lines[role]:6d} {true_lines[role]:8d} {words[role]:7d} {true_words[role]:8d}")
    for reason, count in cleaned.reasons.most_common():
        print(f"  SeedError on {count} page(s): {reason}")


def save_predictions(folder: Path, section: str, runs: Sequence[Run], pages: Sequence[Page]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for run in runs:
        name = "".join(c if c.isalnum() else "-" for c in run.name).strip("-").lower()
        path = folder / f"{section}-{name}.jsonl"
        with path.open("w", encoding="utf-8") as stream:
            for pred, page in zip(run.predictions, pages, strict=True):
                stream.write(json.dumps({"id": page.id, "system": run.name, "articleBody": pred}) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"shared data folder holding {BENCHMARK}/")
    parser.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the reference score.py")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages (by id), for quick runs")
    parser.add_argument("--save", type=Path, default=None, help="write per-page predictions here (outside the repo)")
    args = parser.parse_args(argv)

    folder = args.data / BENCHMARK if (args.data / BENCHMARK).is_dir() else args.data
    if not (folder / "ground-truth.jsonl").is_file():
        print(f"No article-extraction benchmark at {args.data} (looked for {BENCHMARK}/ground-truth.jsonl); skipped.")
        return 0
    if not args.scorer.is_file():
        print(f"No reference scorer at {args.scorer}; skipped (pass --scorer PATH).")
        return 0
    if args.save and args.save.resolve().is_relative_to(REPO):
        parser.error("--save must be outside the repository (use /tmp)")
    logging.basicConfig(level=logging.ERROR)
    for name in ("trafilatura", "htmldate", "courlan", "charset_normalizer"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    started = time.perf_counter()
    pages = load_pages(folder, args.limit)
    scorer = Scorer(load_scorer(args.scorer), pages)
    settings = Settings()
    baselines = {path.stem: path for path in sorted((folder / "baseline-outputs").glob("*.jsonl"))}
    ordered = [s for s in BASELINE_ORDER if s in baselines] + [s for s in baselines if s not in BASELINE_ORDER]
    print(f"Article cleaner benchmark: {folder} ({len(pages)} pages), scorer {args.scorer}")

    # (a) HTML input.
    htmls = load_html(folder, pages)
    # Warm up both extractors on one page (imports, lazy tables) so neither timing pays for it.
    if htmls:
        trafilatura.extract(htmls[0], include_comments=False, include_tables=False)
        run_cleaner([RawArticle("warm-up.html", "html", htmls[0])], settings)
    html_cleaned = run_cleaner(
        [RawArticle(f"{p.id}.html", "html", h) for p, h in zip(pages, htmls, strict=True)], settings
    )
    ours_html = cleaner_runs("HTML", html_cleaned, "trafilatura.bare_extraction text as the cleaner sees it")
    trafilatura_run = run_trafilatura(htmls)
    traf_f1 = (scorer.corpus(trafilatura_run.predictions) or (0.0, 0.0, 0.0))[2]

    def html_target(run: Run, f1: float) -> str:
        if run is not ours_html[0]:
            return ""
        verdict = "MET" if f1 > traf_f1 else "NOT MET"
        return f"target F1 > trafilatura this run ({traf_f1:.3f}): {verdict}"

    published = [load_baseline(baselines[s], pages) for s in ordered]
    html_runs = [*ours_html, trafilatura_run, *published]
    print_table("(a) HTML input", html_runs, scorer, html_target)
    print_language_split(ours_html[0], scorer)
    print_language_split(trafilatura_run, scorer)
    print_worst(ours_html[0], scorer, trafilatura_run)
    print_roles(html_cleaned, scorer)

    # (b) Text input: the whole visible page text (html-text) as a scraped plain-text seed.
    text_runs: list[Run] = []
    if "html-text" in baselines:
        uncleaned = load_baseline(baselines["html-text"], pages)
        uncleaned.name = "html-text, uncleaned input"
        raws = [RawArticle(f"{p.id}.txt", "text", t) for p, t in zip(pages, uncleaned.predictions, strict=True)]
        text_cleaned = run_cleaner(raws, settings)
        ours_text = cleaner_runs("text", text_cleaned, "every input line but the headline")

        def text_target(run: Run, f1: float) -> str:
            if run is not ours_text[0]:
                return ""
            return f"target F1 >= {TEXT_TARGET_F1:.2f}: {'MET' if f1 >= TEXT_TARGET_F1 else 'NOT MET'}"

        text_runs = [ours_text[0], ours_text[1], uncleaned]
        print_table(
            "(b) text input (baseline-outputs/html-text.jsonl fed as kind 'text')", text_runs, scorer, text_target
        )
        print_language_split(ours_text[0], scorer)
        print_worst(ours_text[0], scorer, uncleaned)
        print_roles(text_cleaned, scorer)
    else:
        print("\n(b) skipped: baseline-outputs/html-text.jsonl not found")

    if args.save:
        save_predictions(args.save, "html", html_runs[:4], pages)
        save_predictions(args.save, "text", text_runs[:2], pages)
        print(f"\npredictions written to {args.save}")
    print(f"\ntotal runtime {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
