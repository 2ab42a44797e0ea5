"""Where the per-article work runs: this process, a pool on every core, or an existing Dask cluster."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from generator.analyse import ArticleJob, Outcome, analyse_articles
from generator.config import Settings
from generator.errors import BuildError
from generator.names import AliasEntry

EXECUTORS = ("local", "dask")
SMALL_BATCH = 24
"""Fewer jobs than this run in this process: starting workers would cost more than it saves."""

Progress = Callable[[int], None]


def _chunks(jobs: Sequence[ArticleJob], workers: int) -> list[list[ArticleJob]]:
    size = max(8, min(100, len(jobs) // (workers * 6) or 1))
    return [list(jobs[start : start + size]) for start in range(0, len(jobs), size)]


def run_jobs(
    jobs: Sequence[ArticleJob],
    settings: Settings,
    alias_tables: Sequence[dict[str, AliasEntry]],
    *,
    executor: str = "local",
    scheduler: str | None = None,
    advance: Progress | None = None,
) -> list[Outcome]:
    """Outcomes in the order of the jobs, whatever ran them."""
    if not jobs:
        return []
    if executor == "dask":
        return _run_dask(jobs, settings, alias_tables, scheduler, advance)
    workers = settings.processes or os.cpu_count() or 1
    if workers == 1 or len(jobs) < SMALL_BATCH:
        outcomes = analyse_articles(jobs, settings, alias_tables)
        if advance:
            advance(len(jobs))
        return outcomes
    chunks = _chunks(jobs, workers)
    results: dict[int, list[Outcome]] = {}
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(analyse_articles, chunk, settings, alias_tables): i for i, chunk in enumerate(chunks)}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            if advance:
                advance(len(chunks[futures[future]]))
    return [outcome for i in range(len(chunks)) for outcome in results[i]]


def _run_dask(
    jobs: Sequence[ArticleJob],
    settings: Settings,
    alias_tables: Sequence[dict[str, AliasEntry]],
    scheduler: str | None,
    advance: Progress | None,
) -> list[Outcome]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError as error:
        raise BuildError("--executor dask needs dask.distributed: pip install 'briefing[dask]'") from error
    if not scheduler:
        raise BuildError("--executor dask needs --scheduler ADDRESS (for example tcp://10.0.0.5:8786)")
    chunks = _chunks(jobs, 4)
    with Client(scheduler) as client:
        futures = [client.submit(analyse_articles, chunk, settings, list(alias_tables), pure=False) for chunk in chunks]
        index = {future.key: i for i, future in enumerate(futures)}
        results: dict[int, list[Outcome]] = {}
        for future in dask_completed(futures):
            results[index[future.key]] = future.result()
            if advance:
                advance(len(chunks[index[future.key]]))
    return [outcome for i in range(len(chunks)) for outcome in results[i]]
