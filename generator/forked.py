"""Work over a list on forked processes, for the corpus stages whose items are independent.

A forked worker starts with a copy of the caller's memory, so the caller puts what the workers read
(the corpus, MkDocs' build state) in a module global before calling, and nothing large is sent: each
task is a run of indices, each result comes back in order. Without fork (or with one worker) the same
task runs here, so the output never depends on how it ran.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import TypeVar

Result = TypeVar("Result")

MOST_PER_TASK = 40
"""Items per task at most: few enough to share the work evenly, enough that a task is worth sending."""


def fork_map(task: Callable[[range], Sequence[Result]], count: int, workers: int) -> list[Result]:
    """`task` over runs of neighbouring indices in range(count), one result per index, in index order."""
    if workers < 2 or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return list(task(range(count)))
    size = max(1, min(MOST_PER_TASK, count // (workers * 4)))
    runs = [range(start, min(start + size, count)) for start in range(0, count, size)]
    with multiprocessing.get_context("fork").Pool(min(workers, len(runs))) as pool:
        return [result for results in pool.imap(task, runs) for result in results]
