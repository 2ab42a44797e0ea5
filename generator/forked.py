"""Work over a list on forked processes, for the corpus stages whose items are independent.

A forked worker starts with a copy of the caller's memory, so the caller puts what the workers read
(the corpus, MkDocs' build state) in a module global before calling, and nothing large is sent: each
task is a run of indices, each result comes back in order. Without fork (or with one worker) the same
task runs here, so the output never depends on how it ran.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

Result = TypeVar("Result")

MOST_PER_TASK = 40
"""Items per task at most: few enough to share the work evenly, enough that a task is worth sending."""


def fork_map(task: Callable[[range], Sequence[Result]], count: int, workers: int) -> list[Result]:
    """`task` over runs of neighbouring indices in range(count), one result per index, in index order."""
    with fork_map_started(task, count, workers) as results:
        return results()


@contextlib.contextmanager
def fork_map_started(
    task: Callable[[range], Sequence[Result]], count: int, workers: int
) -> Iterator[Callable[[], list[Result]]]:
    """fork_map with the workers started at once: the caller works meanwhile, then calls for the results.

    The workers are forked on entry, so what they read must be in place before it; without fork the
    task runs here when the results are asked for.
    """
    if workers < 2 or count < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: list(task(range(count)))
        return
    size = max(1, min(MOST_PER_TASK, count // (workers * 4)))
    runs = [range(start, min(start + size, count)) for start in range(0, count, size)]
    with multiprocessing.get_context("fork").Pool(min(workers, len(runs))) as pool:
        pending = pool.map_async(task, runs, chunksize=1)
        yield lambda: [result for results in pending.get() for result in results]
