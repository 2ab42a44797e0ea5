"""Where the per-article work runs: this process, a pool on every core, or an existing Dask cluster."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from generator.analyse import ArticleJob, Outcome, analyse_articles, decode_outcome, encode_outcome, prepare_workers
from generator.config import Settings
from generator.errors import BuildError
from generator.names import AliasEntry

EXECUTORS = ("local", "dask")
SMALL_BATCH = 24
"""Fewer jobs than this run in this process: starting workers would cost more than it saves."""
MIN_CHUNK = 8
MAX_CHUNK = 100
"""Articles a worker is handed at once, at least and at most."""

Finished = Callable[[int, list[Outcome]], None]
"""Told of each finished chunk: the index of its first job, and its outcomes in job order."""


def _chunks(jobs: Sequence[ArticleJob], workers: int) -> list[tuple[int, list[ArticleJob]]]:
    """Runs of neighbouring jobs, each with the index of its first job, smaller as fewer jobs remain.

    Large runs cost less to hand out; small ones at the end keep every worker busy to the last
    (guided scheduling). With runs of one size, a worker left alone with the last of them kept a
    core idle for half a run on average: 1.3 s of a 1,000-article build (runs of 83 articles).
    """
    chunks = []
    start = 0
    while start < len(jobs):
        size = max(MIN_CHUNK, min(MAX_CHUNK, -(-(len(jobs) - start) // (workers * 4))))
        chunks.append((start, list(jobs[start : start + size])))
        start += size
    return chunks


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
    workers = settings.workers
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers == 1 or len(jobs) < SMALL_BATCH or not forkable:
        outcomes = analyse_articles(jobs, settings, alias_tables)
        if finished:
            finished(0, outcomes)
        return outcomes
    global _forked_work
    prepare_workers()
    _forked_work = jobs, settings, alias_tables
    results: dict[int, list[Outcome]] = {}
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {
                pool.submit(_analyse_forked, start, start + len(chunk)): start
                for start, chunk in _chunks(jobs, workers)
            }
            for future in as_completed(futures):
                start = futures[future]
                results[start] = [decode_outcome(kind, payload) for kind, payload in future.result()]
                if finished:
                    finished(start, results[start])
    finally:
        _forked_work = None
    return [outcome for start in sorted(results) for outcome in results[start]]


_forked_work: tuple[Sequence[ArticleJob], Settings, Sequence[dict[str, AliasEntry]]] | None = None
"""The jobs of a local run, read by the forked workers: only indices go out, and JSON comes back."""


def _analyse_forked(start: int, stop: int) -> list[tuple[str, bytes]]:
    assert _forked_work is not None
    jobs, settings, alias_tables = _forked_work
    encoded = [encode_outcome(outcome) for outcome in analyse_articles(jobs[start:stop], settings, alias_tables)]
    # The build holds the cycle collector off (pipeline.garbage_collection_paused); the few cycles a
    # chunk leaves hold spaCy's arrays, tens of MB a worker. Collecting the young generation costs
    # a millisecond: what outlived the chunk is not in it.
    gc.collect(0)
    return encoded


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
