"""Benchmark "The reader's site": MkDocs render time and size of our site against a bare MkDocs floor.

What it measures, for each corpus size (default 100, 1,000 and 5,000 articles):

  1. The generator output, built once per size: `briefing -q --project DIR build --no-render` (cache
     allowed) in a temporary project whose seeds are composed articles (the corpus maker of
     benchmarks/scale.py: 5-7 paragraphs of different real articles each). Its time is shown, but
     it is not what this benchmark is about.
  2. Our render: `generator.write.build_site(mkdocs.yml, content, site)` into an empty temporary site
     folder, timed in a fresh subprocess; and, in another fresh subprocess, MkDocs alone on the same
     content and configuration (`mkdocs.commands.build.build`, no staging or commit into site/), to
     show what the commit adds.
  3. The floor, in the same run: MkDocs building a bare site with the same number of pages, plain
     Markdown pages (a heading and prose paragraphs) of about the same length as ours, page for page,
     with a minimal mkdocs.yml (theme material, font: false, plugins: search, every page but the home
     page in not_in_nav).
  4. Figures: build seconds, ms/page, our cost per page / the floor's (target <= 1.5), output size
     (MB), search index size (site/search/search_index.json, MB), pages vs articles, and the fitted
     exponent (log-log least-squares slope) of render time against n. Target: 5,000 articles render
     in under 90 s.

Each timing is the best of --repeat runs (default 1). The machine's load average is printed with
every stage: other processes running at the same time slow the figures down.

Run from the repository root:

    python benchmarks/site.py                        # 100, 1000 and 5000 articles
    python benchmarks/site.py --sizes 100,1000       # a quicker run
    python benchmarks/site.py --repeat 3

Data lives outside the repository (default: ../shared/data from the repository root); when it is
missing the script says so and exits 0. Everything is built in temporary folders and deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common import DEFAULT_DATA, fitted_exponent

from benchmarks.scale import (
    BuildLine,
    Measured,
    Paragraph,
    briefing_command,
    build_line,
    checked,
    code_note,
    code_state,
    load,
    make_project,
    missing_data,
    paragraph_pool,
    parse_sizes,
    run_measured,
    verdict,
)

TARGET_RATIO = 1.5
TARGET_SECONDS = 90.0
TARGET_AT = 5000
FLOOR_CONFIG = """\
site_name: Floor
docs_dir: {docs}
site_dir: {site}
use_directory_urls: true
theme:
  name: material
  font: false
plugins:
  - search
not_in_nav: |
  /p/
"""


# ---------------------------------------------------------------- stages run in a fresh subprocess


def _site_stats(site: Path) -> dict:
    files = [path for path in site.rglob("*") if path.is_file()]
    index = site / "search" / "search_index.json"
    return {
        "bytes": sum(path.stat().st_size for path in files),
        "files": len(files),
        "html": sum(1 for path in files if path.suffix == ".html"),
        "search_bytes": index.stat().st_size if index.is_file() else 0,
    }


def stage_ours(project: Path, site: Path) -> dict:
    """generator.write.build_site: MkDocs into a scratch folder, then committed into `site`."""
    import mkdocs.commands.build  # noqa: F401  imported before the clock starts, as for the other two stages

    from generator.write import build_site

    started = time.perf_counter()
    build_site(project / "mkdocs.yml", project / "content", site)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_site_stats(site)}


def stage_mkdocs_ours(project: Path, site: Path) -> dict:
    """MkDocs alone on our content and configuration (the theme resolved as build_site resolves it)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.write import mkdocs_options

    started = time.perf_counter()
    options = mkdocs_options(project / "mkdocs.yml", project / "content")
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(site), strict=True, **options)
    build(config)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_site_stats(site)}


def stage_floor(config_file: Path, site: Path) -> dict:
    """MkDocs on the bare site."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    started = time.perf_counter()
    build(load_config(str(config_file)))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, **_site_stats(site)}


STAGES = {"ours": stage_ours, "mkdocs-ours": stage_mkdocs_ours, "floor": stage_floor}


def run_stage(name: str, first: Path, site: Path, repeat: int) -> tuple[dict, Measured]:
    """Best of `repeat` runs, each into an empty site folder, each in a fresh process."""
    best: tuple[dict, Measured] | None = None
    for _ in range(repeat):
        shutil.rmtree(site, ignore_errors=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--stage", name, str(first), str(site)]
        result = checked(run_measured(command), f"stage {name}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        if best is None or figures["seconds"] < best[0]["seconds"]:
            best = figures, result
    assert best is not None
    return best


# ---------------------------------------------------------------- the bare site


def write_floor(folder: Path, lengths: Sequence[int], pool: Sequence[Paragraph]) -> Path:
    """One plain Markdown page per length: a heading, then prose paragraphs up to that many characters."""
    docs = folder / "docs"
    (docs / "p").mkdir(parents=True)
    cursor = 0
    for number, length in enumerate(lengths):
        parts = [f"# Page {number}"]
        size = len(parts[0])
        while size < length:
            text = pool[cursor % len(pool)].text
            cursor += 1
            parts.append(text)
            size += len(text) + 2
        path = docs / "index.md" if number == 0 else docs / "p" / f"p{number:05d}.md"
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(FLOOR_CONFIG.format(docs=docs, site=folder / "site"), encoding="utf-8")
    return config


def content_pages(content: Path) -> list[Path]:
    return sorted(content.rglob("*.md"))


def page_kinds(content: Path, pages: Sequence[Path]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for page in pages:
        parts = page.relative_to(content).parts
        kinds[parts[0] if len(parts) > 1 else "top"] += 1
    return kinds


# ---------------------------------------------------------------- the benchmark


@dataclass(frozen=True, slots=True)
class SizeResult:
    n: int
    words: int
    generate: Measured
    generate_line: BuildLine | None
    pages: int
    kinds: Counter[str]
    content_bytes: int
    floor_content_bytes: int
    ours: dict
    ours_run: Measured
    mkdocs_ours: dict
    floor: dict
    floor_run: Measured

    @property
    def ours_ms(self) -> float:
        return 1000 * self.ours["seconds"] / self.pages

    @property
    def mkdocs_ms(self) -> float:
        return 1000 * self.mkdocs_ours["seconds"] / self.pages

    @property
    def floor_ms(self) -> float:
        return 1000 * self.floor["seconds"] / self.pages

    @property
    def ratio(self) -> float:
        return self.ours["seconds"] / self.floor["seconds"]


def run_size(n: int, pool: Sequence[Paragraph], seed: int, repeat: int) -> SizeResult:
    folder = Path(tempfile.mkdtemp(prefix=f"briefing-site-{n}-"))
    try:
        project = folder / "project"
        print(f"\n== {n} articles  (in {folder}; {load()})", flush=True)
        corpus = make_project(project, n, pool, seed)
        generate = checked(run_measured(briefing_command(project, "--no-render")), "briefing build --no-render")
        line = build_line(generate.stdout)
        pages = content_pages(project / "content")
        lengths = [len(page.read_text(encoding="utf-8")) for page in pages]
        print(
            f"   generator: {generate.seconds:.1f}s for {corpus.articles} articles ({corpus.words:,} words), "
            f"{len(pages)} Markdown pages ({sum(lengths) / 2**20:.1f} MB)  ({load()})",
            flush=True,
        )

        ours, ours_run = run_stage("ours", project, folder / "site", repeat)
        print(f"   our build_site: {ours['seconds']:.1f}s  ({load()})", flush=True)
        mkdocs_ours, _ = run_stage("mkdocs-ours", project, folder / "site-mkdocs", repeat)
        shutil.rmtree(folder / "site-mkdocs", ignore_errors=True)
        print(f"   MkDocs alone on our content: {mkdocs_ours['seconds']:.1f}s  ({load()})", flush=True)

        floor_config = write_floor(folder / "floor", lengths, pool)
        floor_bytes = sum(path.stat().st_size for path in (folder / "floor" / "docs").rglob("*.md"))
        floor, floor_run = run_stage("floor", floor_config, folder / "floor" / "site", repeat)
        print(f"   floor: {floor['seconds']:.1f}s  ({load()})", flush=True)
        return SizeResult(
            n,
            corpus.words,
            generate,
            line,
            len(pages),
            page_kinds(project / "content", pages),
            sum(lengths),
            floor_bytes,
            ours,
            ours_run,
            mkdocs_ours,
            floor,
            floor_run,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _mb(size: float) -> float:
    return size / 2**20


def report(results: Sequence[SizeResult], repeat: int) -> None:
    print(f"\nResults (seconds are the best of {repeat}; MB = 2^20 bytes)")
    header = (
        f"{'articles':>8} {'pages':>6} | {'ours s':>7} {'ms/page':>7} | {'mkdocs s':>8} {'ms/page':>7} | "
        f"{'floor s':>7} {'ms/page':>7} | {'ours/floor':>10} {'mkdocs/floor':>12} | {'site MB':>7} {'search MB':>9} | "
        f"{'floor MB':>8} {'search MB':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.n:>8} {r.pages:>6} | {r.ours['seconds']:>7.1f} {r.ours_ms:>7.1f} | "
            f"{r.mkdocs_ours['seconds']:>8.1f} {r.mkdocs_ms:>7.1f} | {r.floor['seconds']:>7.1f} {r.floor_ms:>7.1f} | "
            f"{r.ratio:>10.2f} {r.mkdocs_ours['seconds'] / r.floor['seconds']:>12.2f} | "
            f"{_mb(r.ours['bytes']):>7.1f} {_mb(r.ours['search_bytes']):>9.2f} | "
            f"{_mb(r.floor['bytes']):>8.1f} {_mb(r.floor['search_bytes']):>9.2f}"
        )

    print("\nPages vs articles")
    for r in results:
        kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(r.kinds.items()))
        generated = r.generate_line
        print(
            f"  {r.n} articles ({r.words:,} words; generator built {generated.built if generated else '?'}, "
            f"{r.generate.seconds:.1f}s): {r.pages} Markdown pages = {r.pages / r.n:.2f} per article ({kinds}); "
            f"{r.ours['html']} HTML files, {r.ours['files']} files in site/; Markdown {_mb(r.content_bytes):.1f} MB "
            f"vs floor {_mb(r.floor_content_bytes):.1f} MB; floor {r.floor['html']} HTML files"
        )
        print(
            f"      CPU seconds (user + system, less affected by other processes): our render "
            f"{r.ours_run.cpu_seconds:.1f}s, floor {r.floor_run.cpu_seconds:.1f}s, ratio "
            f"{r.ours_run.cpu_seconds / r.floor_run.cpu_seconds:.2f}; subprocess wall: ours {r.ours_run.seconds:.1f}s, "
            f"floor {r.floor_run.seconds:.1f}s; peak memory (largest process): "
            f"ours {r.ours_run.max_single_mb:,.0f} MB, "
            f"floor {r.floor_run.max_single_mb:,.0f} MB"
        )

    print("\nFitted exponents (log-log slope of render time vs n articles; about 1 is linear)")
    for name, points in (
        ("our build_site", [(r.n, r.ours["seconds"]) for r in results]),
        ("MkDocs alone on ours", [(r.n, r.mkdocs_ours["seconds"]) for r in results]),
        ("floor", [(r.n, r.floor["seconds"]) for r in results]),
    ):
        slope = fitted_exponent(points)
        print(f"  {name:<22} {'n/a (one size)' if slope is None else f'{slope:.2f}'}")
    largest = [r for r in results if r.n >= 1000]
    if len(largest) >= 2:
        slope = fitted_exponent([(r.n, r.ours["seconds"]) for r in largest])
        print(f"  our build_site, sizes >= 1000 only: {slope:.2f}")

    print("\nTargets")
    for r in results:
        print(
            f"  ours/floor per page at {r.n}: {r.ratio:.2f} (target <= {TARGET_RATIO}) "
            f"{verdict(r.ratio <= TARGET_RATIO)}"
        )
    for r in results:
        if r.n == TARGET_AT:
            seconds = r.ours["seconds"]
            print(
                f"  render of {r.n} articles: {seconds:.1f}s (target < {TARGET_SECONDS:.0f} s) "
                f"{verdict(seconds < TARGET_SECONDS)}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder holding the data sets")
    parser.add_argument("--sizes", type=parse_sizes, default=[100, 1000, 5000], help="corpus sizes, e.g. 100,1000,5000")
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus maker")
    parser.add_argument("--repeat", type=int, default=1, help="time each render this many times, keep the best")
    parser.add_argument("--stage", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        name, first, site = args.stage
        print(json.dumps(STAGES[name](Path(first), Path(site))))
        return 0

    missing = missing_data(args.data)
    if missing:
        print(f"Data missing under {args.data}: {', '.join(missing)}; skipped.")
        return 0
    started = time.perf_counter()
    code = code_state()
    pool = paragraph_pool(args.data)
    print(
        f"Site benchmark: sizes {', '.join(map(str, args.sizes))}; corpora composed from {len(pool):,} "
        f"paragraphs of real articles; {os.cpu_count()} cores; {load()}; generator code {code}"
    )
    results = [run_size(n, pool, args.seed, max(1, args.repeat)) for n in args.sizes]
    report(results, max(1, args.repeat))
    print(f"\nTotal {time.perf_counter() - started:.0f}s; {load()}; {code_note(code)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
