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

Finished = Callable[[int, list[Outcome]], None]
"""Told of each finished chunk: the index of its first job, and its outcomes in job order."""


def _chunks(jobs: Sequence[ArticleJob], workers: int) -> list[tuple[int, list[ArticleJob]]]:
    """Runs of neighbouring jobs, each with the index of its first job."""
    size = max(8, min(100, len(jobs) // (workers * 6) or 1))
    return [(start, list(jobs[start : start + size])) for start in range(0, len(jobs), size)]


def run_jobs(
    jobs: Sequence[ArticleJob],
    settings: Settings,
    alias_tables: Sequence[dict[str, AliasEntry]],
    *,
    executor: str = "local",
    scheduler: str | None = None,
    finished: Finished | None = None,
) -> list[Outcome]:
    """Outcomes in the order of the jobs, whatever ran them; `finished` hears of each chunk as it ends."""
    if not jobs:
        return []
    if executor == "dask":
        return _run_dask(jobs, settings, alias_tables, scheduler, finished)
    workers = settings.processes or os.cpu_count() or 1
    if workers == 1 or len(jobs) < SMALL_BATCH:
        outcomes = analyse_articles(jobs, settings, alias_tables)
        if finished:
            finished(0, outcomes)
        return outcomes
    results: dict[int, list[Outcome]] = {}
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {
            pool.submit(analyse_articles, chunk, settings, alias_tables): start
            for start, chunk in _chunks(jobs, workers)
        }
        for future in as_completed(futures):
            start = futures[future]
            results[start] = future.result()
            if finished:
                finished(start, results[start])
    return [outcome for start in sorted(results) for outcome in results[start]]


def _run_dask(
    jobs: Sequence[ArticleJob],
    settings: Settings,
    alias_tables: Sequence[dict[str, AliasEntry]],
    scheduler: str | None,
    finished: Finished | None,
) -> list[Outcome]:
    try:
        from dask.distributed import Client
        from dask.distributed import as_completed as dask_completed
    except ImportError as error:
        raise BuildError("--executor dask needs dask.distributed: pip install 'briefing[dask]'") from error
    if not scheduler:
        raise BuildError("--executor dask needs --scheduler ADDRESS (for example tcp://10.0.0.5:8786)")
    with Client(scheduler) as client:
        submitted = [
            (client.submit(analyse_articles, chunk, settings, list(alias_tables), pure=False), start)
            for start, chunk in _chunks(jobs, 4)
        ]
        start_of = {future.key: start for future, start in submitted}
        results: dict[int, list[Outcome]] = {}
        for future in dask_completed([future for future, _ in submitted]):
            start = start_of[future.key]
            results[start] = future.result()
            if finished:
                finished(start, results[start])
    return [outcome for start in sorted(results) for outcome in results[start]]
