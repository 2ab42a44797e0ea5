"""fork_map: the work runs on forked workers and comes back in order, the same as run here."""

from __future__ import annotations

import os

import pytest

from generator.forked import fork_map, fork_map_started

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


def test_started_work_reads_what_was_in_place_at_the_start_and_runs_while_the_caller_works():
    global _squares_of
    with fork_map_started(_squares, 163, workers=2) as results:
        _squares_of = [-1] * 1000  # the caller goes on with its own work; the workers have their copy
        forked = results()
    _squares_of = list(range(1000))
    assert [square for square, _ in forked] == [i * i for i in range(163)]
    assert os.getpid() not in {pid for _, pid in forked}
    with fork_map_started(_squares, 5, workers=1) as results:
        assert results() == [(i * i, os.getpid()) for i in range(5)]
