"""Benchmark "Fast at any size": the generator's cold and warm build time, memory and scaling.

What it measures, for each corpus size (default 1,000 and 10,000 articles; 30,000 is allowed):

  1. Cold generator build: `briefing --project DIR build --no-render` in a fresh project with an
     empty cache, run as a subprocess. Wall seconds, CPU seconds of the process tree (user + system,
     from wait4), peak memory of the process tree (psutil, sampled every 0.2 s: the sum of RSS over
     the parent and its workers, and the sum of PSS, which counts pages shared after fork once), the
     largest single process (ru_maxrss), articles/s and words/s. The memory target is judged on the
     sum of PSS (and the largest process): a worker forked from a parent of 1 GB shows an RSS of 1 GB
     at once, though the pages it only reads exist once in the machine's memory, so the sum of RSS
     counts them once per worker and can exceed what the build occupies by far.
  2. spaCy NER alone on the same texts, in the same run: `generator.nlp.load_pipeline("auto")` and
     `nlp.pipe(texts, n_process=2, batch_size=64)` over the article bodies (each seed minus its
     title line), in a fresh subprocess; words/s of the pipe alone (model load timed apart).
     It runs twice, right before and right after the cold build, and the two are averaged: the
     speed of a shared machine drifts by tens of percent within minutes, and a drift then weighs
     on both sides of the ratio alike. Both runs are printed.
     Headline: cold generator words/s / spaCy-alone words/s (target >= 0.8).
  3. Warm rebuilds (`--no-render`, cache kept): with nothing changed, then after one sentence is
     appended to one seed (target <= 2 s at 10k). Wall seconds of the command (interpreter start
     included, since that is what a user waits for) and the build's own figure.
     Every build is cut off (its process group killed) after --max-seconds (cold) or
     --warm-max-seconds (warm), the render after --render-max-seconds; a cut-off time is printed
     with '>' and is a lower bound.
  4. MkDocs render of the result: `generator.write.build_site(mkdocs.yml, content, site)` timed in
     a fresh subprocess, seconds and ms/page, with an empty page cache; then one more seed changes,
     the generator rebuilds, and the render is timed again with the page cache it left.
  5. Fitted exponent (log-log least-squares slope of time against n) of each timing across sizes
     (target about 1).

Corpora are composed from paragraphs of different real articles (bbc-news-summary, xsum-test-sample,
wikiref220-news-clusters, ecbplus-event-clusters; see `compose_articles`), written as
seeds/aNNNNN.txt into a temporary project under the system temp folder and deleted afterwards.
The machine's load average is printed before and after every stage: other processes running at the
same time slow the figures down.

Run from the repository root:

    python benchmarks/scale.py                        # 1000 and 10000 articles
    python benchmarks/scale.py --sizes 1000           # a quick run
    python benchmarks/scale.py --sizes 1000,10000,30000
    python benchmarks/scale.py --warm-max-seconds 300    # cut slow warm builds off sooner

Data lives outside the repository (default: ../shared/data from the repository root); when it is
missing the script says so and exits 0. Nothing is written inside the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common import DEFAULT_DATA, REPO, fitted_exponent, read_jsonl

BBC = "bbc-news-summary"
XSUM = "xsum-test-sample"
WIKIREF = "wikiref220-news-clusters"
ECB = "ecbplus-event-clusters"
DATASETS = (BBC, XSUM, WIKIREF, ECB)

MIN_WORDS = 13
"""Paragraphs of 12+ words are asked for; 13+ are kept because the generator treats a line of at most
12 words that recurs in two files as site chrome, and paragraphs are reused once the pool is exhausted."""
PARAGRAPHS = (5, 7)
TITLE_WORDS = 8
ECB_LINES = 3
"""ECB+ texts have one sentence a line: three lines make a paragraph."""
LOOKAHEAD = 200
"""How far the drawer looks ahead for a paragraph from an article not used yet in this one."""
CHANGED_SENTENCE = " The council said on Tuesday that a further statement would follow later this week."

TARGET_RATIO = 0.8
TARGET_WARM_SECONDS = 2.0
TARGET_PEAK_MB = 2048.0
TARGET_WARM_AT = 10_000
SAMPLE_SECONDS = 0.2
_STAGES = re.compile(r"^time by stage: (.+)$", re.MULTILINE)
_BUILT = re.compile(r"built (\d+) articles(?:, (\d+) skipped)?; (\d+) pages written, (\d+) removed in ([\d.]+)s")


# ---------------------------------------------------------------- corpus maker (shared with site.py)


@dataclass(frozen=True, slots=True)
class Paragraph:
    source: int
    """Number of the real article it comes from."""
    text: str


@dataclass(frozen=True, slots=True)
class CorpusStats:
    articles: int
    words: int
    """Words of the article bodies (title lines excluded): the text that is analysed."""
    title_words: int
    pool: int
    pool_sources: int


def missing_data(data: Path) -> list[str]:
    return [name for name in DATASETS if not (data / name / "articles.jsonl").is_file()]


def paragraph_pool(data: Path) -> list[Paragraph]:
    """Every distinct paragraph of MIN_WORDS+ words of the real articles, with its article's number."""
    texts: list[list[str]] = []
    for row in read_jsonl(data / BBC / "articles.jsonl"):
        texts.append(str(row["body"]).split("\n"))
    for row in read_jsonl(data / XSUM / "articles.jsonl"):
        texts.append(str(row["text"]).split("\n\n"))
    for row in read_jsonl(data / WIKIREF / "articles.jsonl"):
        texts.append(str(row["text"]).split("\n\n"))
    for row in read_jsonl(data / ECB / "articles.jsonl"):
        lines = [line for line in str(row["text"]).split("\n")[1:] if line.strip()]  # line 0 is the title
        texts.append([" ".join(lines[i : i + ECB_LINES]) for i in range(0, len(lines), ECB_LINES)])
    pool: list[Paragraph] = []
    seen: set[str] = set()
    for number, paragraphs in enumerate(texts):
        for paragraph in paragraphs:
            text = " ".join(paragraph.split())
            if len(text.split()) >= MIN_WORDS and text not in seen:
                seen.add(text)
                pool.append(Paragraph(number, text))
    return pool


class _Drawer:
    """Paragraphs without reuse until the pool is exhausted, then the pool reshuffled."""

    def __init__(self, pool: Sequence[Paragraph], rng: random.Random) -> None:
        self.rng = rng
        self.order = list(pool)
        self.rng.shuffle(self.order)
        self.position = 0

    def draw(self, used_sources: set[int], used_titles: set[str] | None = None) -> Paragraph:
        if self.position >= len(self.order):
            self.rng.shuffle(self.order)
            self.position = 0
        end = min(len(self.order), self.position + LOOKAHEAD)
        chosen = self.position
        for index in range(self.position, end):
            candidate = self.order[index]
            if candidate.source in used_sources:
                continue
            if used_titles is not None and title_of(candidate.text).lower() in used_titles:
                continue
            chosen = index
            break
        order = self.order
        order[self.position], order[chosen] = order[chosen], order[self.position]
        self.position += 1
        return order[self.position - 1]


def title_of(paragraph: str) -> str:
    return " ".join(paragraph.split()[:TITLE_WORDS])


def compose_articles(n: int, pool: Sequence[Paragraph], seed: int) -> Iterable[tuple[str, list[str]]]:
    """n articles (title, paragraphs): 5-7 paragraphs each, from different real articles.

    Paragraphs are drawn without reuse until the pool is exhausted (then it is reshuffled), so two
    articles share at most an occasional paragraph; titles are kept distinct while the pool allows.
    """
    rng = random.Random(seed)
    drawer = _Drawer(pool, rng)
    used_titles: set[str] = set()
    for _ in range(n):
        wanted = rng.randint(*PARAGRAPHS)
        used: set[int] = set()
        paragraphs: list[str] = []
        while len(paragraphs) < wanted:
            paragraph = drawer.draw(used, used_titles if not paragraphs else None)
            used.add(paragraph.source)
            paragraphs.append(paragraph.text)
        title = title_of(paragraphs[0])
        used_titles.add(title.lower())
        yield title, paragraphs


def seed_name(index: int) -> str:
    return f"a{index:05d}.txt"


def write_corpus(seeds: Path, n: int, pool: Sequence[Paragraph], seed: int) -> CorpusStats:
    """seeds/aNNNNN.txt: the title, a blank line, the paragraphs separated by blank lines."""
    seeds.mkdir(parents=True, exist_ok=True)
    words = title_words = 0
    for index, (title, paragraphs) in enumerate(compose_articles(n, pool, seed)):
        (seeds / seed_name(index)).write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        words += sum(len(p.split()) for p in paragraphs)
        title_words += len(title.split())
    return CorpusStats(n, words, title_words, len(pool), len({p.source for p in pool}))


def make_project(folder: Path, n: int, pool: Sequence[Paragraph], seed: int) -> CorpusStats:
    """A project folder as tests/conftest.py lays it out: the repository's mkdocs.yml and seeds/."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", folder / "mkdocs.yml")
    return write_corpus(folder / "seeds", n, pool, seed)


def seed_body(text: str) -> str:
    """The seed minus its title line: the text that is analysed."""
    return text.split("\n", 1)[1].strip() if "\n" in text else ""


# ---------------------------------------------------------------- measuring a process tree


@dataclass(frozen=True, slots=True)
class Measured:
    returncode: int
    seconds: float
    cpu_seconds: float
    """User + system time of the process and every descendant it waited for."""
    tree_rss_mb: float
    """Peak of the sum of RSS over the process tree (pages shared after fork counted in each process)."""
    tree_pss_mb: float
    """Peak of the sum of PSS over the process tree (shared pages divided among their users)."""
    max_single_mb: float
    """ru_maxrss: the largest single process of the tree."""
    stdout: str
    stderr: str
    timed_out: bool = False
    """Killed (with its whole process group) after the time cap; `seconds` is then a lower bound."""

    def shown(self, width: int = 7, digits: int = 1) -> str:
        text = f"{self.seconds:.{digits}f}"
        return f"{'>' + text if self.timed_out else text:>{width}}"


def _tree_memory(root: int) -> tuple[float, float]:
    import psutil

    try:
        parent = psutil.Process(root)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.Error:
        return 0.0, 0.0
    rss = pss = 0
    for process in processes:
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / 2**20, pss / 2**20


def run_measured(command: Sequence[str], cwd: Path | None = None, timeout: float | None = None) -> Measured:
    """Run a command to its end, or kill its process group after `timeout` seconds; wall time, CPU time
    and peak memory of its process tree."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.setdefault("NO_MKDOCS_2_WARNING", "1")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=timeout is not None
        )
        peak = [0.0, 0.0]
        done = threading.Event()
        killed = threading.Event()

        def sample() -> None:
            while not done.is_set():
                rss, pss = _tree_memory(process.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                if timeout is not None and time.perf_counter() - started > timeout and not killed.is_set():
                    killed.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)  # its own session: only what it started
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            process.returncode,
            seconds,
            usage.ru_utime + usage.ru_stime,
            peak[0],
            peak[1],
            usage.ru_maxrss / 1024,
            out.read(),
            err.read(),
            killed.is_set(),
        )


def briefing_command(project: Path, *extra: str) -> list[str]:
    """Not quiet, so that the build logs its time by stage; its stderr is a pipe, so it draws no progress bar."""
    return [sys.executable, "-m", "generator", "--project", str(project), "build", *extra]


def checked(result: Measured, what: str) -> Measured:
    """The result, unless the command failed (a time-out is not a failure: callers report it)."""
    if result.returncode != 0 and not result.timed_out:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{tail}")
    return result


@dataclass(frozen=True, slots=True)
class BuildLine:
    built: int
    skipped: int
    written: int
    removed: int
    seconds: float


def build_line(stdout: str) -> BuildLine | None:
    match = _BUILT.search(stdout)
    if not match:
        return None
    built, skipped, written, removed, seconds = match.groups()
    return BuildLine(int(built), int(skipped or 0), int(written), int(removed), float(seconds))


def code_state() -> str:
    """A short hash of the generator's code, templates and data: printed at the start and the end of a run,
    since a change in the middle (another developer's edit) makes the figures incomparable."""
    import hashlib

    digest = hashlib.blake2b(digest_size=6)
    package = REPO / "generator"
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".yml", ".css", ".html"):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def code_note(at_start: str) -> str:
    now = code_state()
    return f"generator code {now}" + ("" if now == at_start else f" (CHANGED during the run; was {at_start})")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers separated by commas, not {text!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive")
    return sizes


# ---------------------------------------------------------------- stages run in a fresh subprocess


def stage_ner(seeds: Path) -> dict:
    """spaCy NER alone over the article bodies: model load and pipe timed apart."""
    from generator.nlp import load_pipeline

    texts = [seed_body(path.read_text(encoding="utf-8")) for path in sorted(seeds.glob("*.txt"))]
    started = time.perf_counter()
    nlp = load_pipeline("auto")
    loaded = time.perf_counter()
    entities = 0
    for doc in nlp.pipe(texts, n_process=2, batch_size=64):
        entities += len(doc.ents)
    finished = time.perf_counter()
    return {
        "load_seconds": loaded - started,
        "pipe_seconds": finished - loaded,
        "texts": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "entities": entities,
        "pipes": nlp.pipe_names,
    }


def stage_render(project: Path, site: Path, cache_file: Path) -> dict:
    """generator.write.build_site over the project's content/, into `site`, with the page cache in `cache_file`."""
    from generator.cache import ResultCache
    from generator.pipeline import Paths, site_salt
    from generator.write import build_site

    content = project / "content"
    pages = sum(1 for _ in content.rglob("*.md"))
    salt = site_salt(Paths(project, project / "seeds", content, site))
    cache = ResultCache(cache_file)
    started = time.perf_counter()
    written, removed = build_site(project / "mkdocs.yml", content, site, cache=cache, salt=salt)
    seconds = time.perf_counter() - started
    cache.close()
    return {"seconds": seconds, "pages": pages, "written": written, "removed": removed}


STAGES = {"ner": lambda args: stage_ner(Path(args[0])), "render": lambda args: stage_render(*map(Path, args))}


def run_stage(script: Path, name: str, *args: str, timeout: float | None = None) -> tuple[dict | None, Measured]:
    """The stage's figures (None if it was cut off after `timeout` seconds) and its measurement."""
    command = [sys.executable, str(script), "--stage", name, *args]
    result = checked(run_measured(command, timeout=timeout), f"stage {name}")
    return (None if result.timed_out else json.loads(result.stdout.strip().splitlines()[-1])), result


# ---------------------------------------------------------------- the benchmark


@dataclass(frozen=True, slots=True)
class SizeResult:
    n: int
    corpus: CorpusStats
    cold: Measured
    ner: dict
    """spaCy alone, the two runs averaged (see `averaged`)."""
    ner_runs: tuple[Measured, Measured]
    warm_same: Measured
    warm_one: Measured
    render: dict | None
    render_run: Measured | None
    render_again: dict | None
    """MkDocs with its page cache after one more article changed."""

    @property
    def cold_words_per_second(self) -> float:
        return self.corpus.words / self.cold.seconds

    @property
    def ner_words_per_second(self) -> float:
        return self.ner["words"] / self.ner["pipe_seconds"]

    @property
    def ratio(self) -> float:
        return self.cold_words_per_second / self.ner_words_per_second

    @property
    def ner_cpu_seconds(self) -> float:
        return sum(run.cpu_seconds for run in self.ner_runs) / len(self.ner_runs)


def ok(result: Measured) -> bool:
    return result.returncode == 0 and not result.timed_out


def run_build(project: Path, what: str, timeout: float) -> Measured:
    """`briefing build --no-render`, capped; a failure or time-out is printed, not fatal."""
    result = run_measured(briefing_command(project, "--no-render"), timeout=timeout)
    line = build_line(result.stdout)
    if result.timed_out:
        state = f"TIMED OUT after {timeout:.0f}s (process group killed)"
    elif result.returncode:
        state = f"FAILED (exit {result.returncode})"
    else:
        state = f"{result.seconds:.2f}s wall"
    print(
        f"   {what}: {state}, {result.cpu_seconds:.1f}s CPU, build's own figure "
        f"{f'{line.seconds:.1f}s' if line else '?'}"
        f"{f', {line.built} built, {line.skipped} skipped, {line.written} pages written' if line else ''}  "
        f"({load()})",
        flush=True,
    )
    if stages := _STAGES.search(result.stderr):
        print(f"     time by stage (the build's log): {stages.group(1)}", flush=True)
    if result.returncode and not result.timed_out:
        print("     " + "\n     ".join((result.stdout + result.stderr).strip().splitlines()[-12:]), flush=True)
    return result


def spacy_alone(project: Path, when: str) -> tuple[dict, Measured]:
    ner, run = run_stage(Path(__file__), "ner", str(project / "seeds"))
    assert ner is not None
    print(
        f"   spaCy alone, {when} the cold build: load {ner['load_seconds']:.1f}s, pipe {ner['pipe_seconds']:.1f}s "
        f"({ner['pipes']})  ({load()})",
        flush=True,
    )
    return ner, run


def averaged(before: dict, after: dict) -> dict:
    """The two spaCy-alone runs as one: their mean times, and both pipe times as `pipe_runs`."""
    assert before["entities"] == after["entities"], "spaCy found different entities in the same texts"
    return before | {
        "load_seconds": (before["load_seconds"] + after["load_seconds"]) / 2,
        "pipe_seconds": (before["pipe_seconds"] + after["pipe_seconds"]) / 2,
        "pipe_runs": (before["pipe_seconds"], after["pipe_seconds"]),
    }


def run_size(
    n: int, pool: Sequence[Paragraph], seed: int, keep: bool, cold_cap: float, warm_cap: float, render_cap: float
) -> SizeResult:
    folder = Path(tempfile.mkdtemp(prefix=f"briefing-scale-{n}-"))
    try:
        project = folder / "project"
        print(f"\n== {n} articles  (project {project}; {load()})", flush=True)
        started = time.perf_counter()
        corpus = make_project(project, n, pool, seed)
        print(
            f"   corpus: {corpus.articles} articles, {corpus.words:,} body words "
            f"(+{corpus.title_words:,} title words), {corpus.words / n:.0f} words/article, "
            f"written in {time.perf_counter() - started:.1f}s",
            flush=True,
        )
        before, before_run = spacy_alone(project, "before")
        cold = run_build(project, "cold build", cold_cap)
        after, after_run = spacy_alone(project, "after")
        ner = averaged(before, after)

        # The per-article cache is written before the corpus-wide stages, so even a cold build cut off
        # by its cap leaves a warm cache behind.
        warm_same = run_build(project, "warm build, nothing changed", warm_cap)
        target = project / "seeds" / seed_name(n // 2)
        target.write_text(target.read_text(encoding="utf-8").rstrip("\n") + CHANGED_SENTENCE + "\n", encoding="utf-8")
        warm_one = run_build(project, "warm build, one article changed", warm_cap)

        render = render_run = render_again = None
        if (project / "content" / "index.md").is_file():
            stage = (Path(__file__), "render", str(project), str(folder / "site"), str(folder / "pages.sqlite"))
            render, render_run = run_stage(*stage, timeout=render_cap)
            if render:
                print(f"   render: {render['seconds']:.1f}s for {render['pages']} pages  ({load()})", flush=True)
                # Another article changes: the generator rewrites its pages, MkDocs renders again with its page cache.
                target = project / "seeds" / seed_name(n // 3)
                target.write_text(target.read_text(encoding="utf-8").rstrip("\n") + CHANGED_SENTENCE + "\n")
                if ok(run_build(project, "warm build, another article changed", warm_cap)):
                    render_again, _ = run_stage(*stage, timeout=render_cap)
                    if render_again:
                        print(
                            f"   render after that change, page renders cached: {render_again['seconds']:.1f}s, "
                            f"{render_again['written']} files written  ({load()})",
                            flush=True,
                        )
            else:
                print(f"   render: TIMED OUT after {render_cap:.0f}s (process group killed)  ({load()})", flush=True)
        else:
            print("   render: skipped (no build finished, so there is no content/)", flush=True)
        return SizeResult(
            n, corpus, cold, ner, (before_run, after_run), warm_same, warm_one, render, render_run, render_again
        )
    finally:
        if keep:
            print(f"   kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _seconds(result: Measured, width: int = 7) -> str:
    if result.returncode and not result.timed_out:
        return f"{'failed':>{width}}"
    return result.shown(width)


def report(results: Sequence[SizeResult]) -> None:
    print("\nResults (wall seconds of the command, interpreter start included; memory in MB; '>' = cut off)")
    header = (
        f"{'articles':>8} {'words':>10} | {'cold s':>8} {'CPU s':>7} {'art/s':>6} {'words/s':>8} "
        f"{'treeRSS':>7} {'treePSS':>7} {'maxproc':>7} | {'spaCy s':>7} {'words/s':>8} {'ratio':>5} | "
        f"{'warm0 s':>8} {'warm1 s':>8} | {'render s':>8} {'ms/page':>7} {'pages':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        render = (
            f"{r.render['seconds']:>8.1f} {1000 * r.render['seconds'] / max(1, r.render['pages']):>7.1f} "
            f"{r.render['pages']:>6}"
            if r.render
            else f"{'>' + format(r.render_run.seconds, '.0f') if r.render_run else '-':>8} {'-':>7} {'-':>6}"
        )
        print(
            f"{r.n:>8} {r.corpus.words:>10,} | {_seconds(r.cold, 8)} {r.cold.cpu_seconds:>7.1f} "
            f"{r.n / r.cold.seconds:>6.1f} {r.cold_words_per_second:>8,.0f} {r.cold.tree_rss_mb:>7,.0f} "
            f"{r.cold.tree_pss_mb:>7,.0f} {r.cold.max_single_mb:>7,.0f} | {r.ner['pipe_seconds']:>7.1f} "
            f"{r.ner_words_per_second:>8,.0f} {r.ratio:>5.2f} | {_seconds(r.warm_same, 8)} "
            f"{_seconds(r.warm_one, 8)} | {render}"
        )

    print("\nDetails")
    for r in results:
        print(
            f"  {r.n}: spaCy alone {r.ner['entities']:,} entities, load {r.ner['load_seconds']:.1f}s, pipe "
            f"{' and '.join(f'{t:.1f}' for t in r.ner['pipe_runs'])}s (before and after the cold build), "
            f"peak tree RSS {max(run.tree_rss_mb for run in r.ner_runs):,.0f} MB / PSS "
            f"{max(run.tree_pss_mb for run in r.ner_runs):,.0f} MB, "
            f"words/s incl. load {r.ner['words'] / (r.ner['load_seconds'] + r.ner['pipe_seconds']):,.0f}"
        )
        print(
            f"      CPU time: cold build {r.cold.cpu_seconds:.1f}s ({1000 * r.cold.cpu_seconds / r.n:.0f} ms/article), "
            f"spaCy alone {r.ner_cpu_seconds:.1f}s ({1000 * r.ner_cpu_seconds / r.n:.0f} ms/article); "
            f"spaCy-alone CPU / cold CPU = {r.ner_cpu_seconds / r.cold.cpu_seconds:.2f} "
            f"(less affected by other processes than the wall-time ratio)"
        )
        print(
            f"      warm builds: peak tree RSS {r.warm_same.tree_rss_mb:,.0f} / {r.warm_one.tree_rss_mb:,.0f} MB, "
            f"CPU {r.warm_same.cpu_seconds:.1f} / {r.warm_one.cpu_seconds:.1f}s"
            + (
                f"; render peak memory {r.render_run.max_single_mb:,.0f} MB, subprocess wall "
                f"{r.render_run.seconds:.1f}s, CPU {r.render_run.cpu_seconds:.1f}s"
                if r.render_run
                else ""
            )
        )
        if r.render and r.render_again:
            print(
                f"      render of all {r.render['pages']} pages {r.render['seconds']:.1f}s; again after one more "
                f"article changed, page renders cached: {r.render_again['seconds']:.1f}s"
            )

    print("\nFitted exponents (log-log slope of time vs n; target about 1; '>=' when a point was cut off)")
    series: dict[str, list[tuple[int, float, bool]]] = {
        "cold build": [(r.n, r.cold.seconds, r.cold.timed_out) for r in results if ok(r.cold) or r.cold.timed_out],
        "cold build CPU": [(r.n, r.cold.cpu_seconds, r.cold.timed_out) for r in results],
        "spaCy alone (pipe)": [(r.n, r.ner["pipe_seconds"], False) for r in results],
        "warm, unchanged": [(r.n, r.warm_same.seconds, r.warm_same.timed_out) for r in results],
        "warm, one changed": [(r.n, r.warm_one.seconds, r.warm_one.timed_out) for r in results],
        "render": [(r.n, r.render["seconds"], False) for r in results if r.render],
    }
    for name, points in series.items():
        slope = fitted_exponent([(n, t) for n, t, _ in points])
        bound = ">= " if any(cut for *_, cut in points[1:]) else ""
        print(f"  {name:<20} {'n/a (fewer than two sizes)' if slope is None else f'{bound}{slope:.2f}'}")

    print("\nTargets")
    for r in results:
        bound = "<= " if r.cold.timed_out else ""
        print(
            f"  ratio cold/spaCy words/s at {r.n}: {bound}{r.ratio:.2f} (target >= {TARGET_RATIO}) "
            f"{verdict(r.ratio >= TARGET_RATIO and ok(r.cold))}"
        )
    at = [r for r in results if r.n == TARGET_WARM_AT] or [max(results, key=lambda r: r.n)]
    for r in at:
        print(
            f"  warm rebuild after one change at {r.n}: {_seconds(r.warm_one, 0).strip()}s "
            f"(target <= {TARGET_WARM_SECONDS:.0f} s at {TARGET_WARM_AT}) "
            f"{verdict(ok(r.warm_one) and r.warm_one.seconds <= TARGET_WARM_SECONDS)}"
        )
        peak = max(r.cold.tree_pss_mb, r.cold.max_single_mb)
        print(
            f"  peak memory of the cold build at {r.n}: tree RSS {r.cold.tree_rss_mb:,.0f} MB, tree PSS "
            f"{r.cold.tree_pss_mb:,.0f} MB, largest process {r.cold.max_single_mb:,.0f} MB "
            f"(target <= {TARGET_PEAK_MB:,.0f} MB at {TARGET_WARM_AT}, judged on tree PSS and the largest process) "
            f"{verdict(peak <= TARGET_PEAK_MB)}"
        )
    cold_points = series["cold build"]
    slope = fitted_exponent([(n, t) for n, t, _ in cold_points])
    if slope is not None:
        bound = ">= " if any(cut for *_, cut in cold_points) else ""
        print(f"  cold exponent {bound}{slope:.2f} (target about 1) {verdict(slope <= 1.15)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder holding the data sets")
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 10000], help="corpus sizes, e.g. 1000,10000,30000")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus maker")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=3600,
        help="cut off a cold build after this long (default 3600)",
    )
    parser.add_argument(
        "--warm-max-seconds", type=float, default=600, help="cut off a warm build after this long (default 600)"
    )
    parser.add_argument(
        "--render-max-seconds",
        type=float,
        default=None,
        help="cut off the render after this long (default: --max-seconds)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects (their paths are printed)")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        name, *rest = args.stage
        print(json.dumps(STAGES[name](rest)))
        return 0

    missing = missing_data(args.data)
    if missing:
        print(f"Data missing under {args.data}: {', '.join(missing)}; skipped.")
        return 0
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("psutil is not installed; the process-tree memory figures would be missing. Skipped.")
        return 0
    started = time.perf_counter()
    code = code_state()
    render_cap = args.max_seconds if args.render_max_seconds is None else args.render_max_seconds
    pool = paragraph_pool(args.data)
    print(
        f"Scale benchmark: sizes {', '.join(map(str, args.sizes))}; {len(pool):,} distinct paragraphs "
        f"({MIN_WORDS}+ words) of {len({p.source for p in pool}):,} real articles, "
        f"{PARAGRAPHS[0]}-{PARAGRAPHS[1]} per composed article; {os.cpu_count()} cores; {load()}; "
        f"generator code {code}; caps: cold {args.max_seconds:.0f}s, "
        f"warm {args.warm_max_seconds:.0f}s, render {render_cap:.0f}s"
    )
    results = [
        run_size(n, pool, args.seed, args.keep, args.max_seconds, args.warm_max_seconds, render_cap) for n in args.sizes
    ]
    report(results)
    print(f"\nTotal {time.perf_counter() - started:.0f}s; {load()}; {code_note(code)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
