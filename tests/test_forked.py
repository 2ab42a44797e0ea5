"""fork_map: the work runs on forked workers and comes back in order, the same as run here."""

from __future__ import annotations

import os

import pytest

from generator.forked import fork_map

_squares_of = list(range(1000))


def _squares(run: range) -> list[tuple[int, int]]:
    return [(_squares_of[i] ** 2, os.getpid()) for i in run]


@pytest.mark.parametrize("count", [0, 1, 2, 7, 163])
def test_results_come_back_in_order_and_equal_to_running_here(count: int):
    here = fork_map(_squares, count, workers=1)
    forked = fork_map(_squares, count, workers=2)
    assert [square for square, _ in forked] == [square for square, _ in here] == [i * i for i in range(count)]
    assert {pid for _, pid in here} <= {os.getpid()}


def test_the_work_runs_in_other_processes():
    pids = {pid for _, pid in fork_map(_squares, 163, workers=2)}
    assert pids and os.getpid() not in pids
