"""Rows marked as `asv compare` marks them, from result sets of any origin."""

from __future__ import annotations

import pytest

from stackbench.analysis import comparison


def stats(low: float, high: float, n: int = 8) -> dict:
    return {"ci_99_a": low, "ci_99_b": high, "q_25": low, "q_75": high, "repeat": n, "number": 1}


def result_set(values: list, st: list, version: str = "2", machine: str = "m", env: str = "e"):
    params = [["'a'", "'b'", "'c'", "'d'", "'e'"]]
    return [("bench_pairs.Asgi.track_seconds_per_request", params, values, st, None, version, machine, env)]


@pytest.fixture()
def marked():
    before = result_set([1.0, 1.0, 1.0, 1.0, 1.0], [stats(0.99, 1.01)] * 5)
    after = result_set(
        [1.0, 1.2, 1.2, None, 0.8],
        [stats(0.99, 1.01), stats(1.19, 1.21), stats(0.9, 1.3), None, stats(0.79, 0.81)],
    )
    return {r.benchmark.split("(")[1][1]: r for r in comparison.rows(before, after, factor=1.05)}


def test_marks(marked):
    assert marked["a"].mark == comparison.SAME and not marked["a"].flagged
    assert marked["b"].mark == comparison.WORSE and marked["b"].ratio == pytest.approx(1.2)
    assert marked["c"].mark == comparison.INSIGNIFICANT  # past the factor, but the intervals overlap
    assert marked["d"].mark == comparison.BROKE and marked["d"].ratio is None
    assert marked["e"].mark == comparison.BETTER


def test_other_versions_are_not_comparable():
    before = result_set([1.0] * 5, [stats(0.99, 1.01)] * 5, version="1")
    after = result_set([2.0] * 5, [stats(1.99, 2.01)] * 5, version="2")
    assert {r.mark for r in comparison.rows(before, after, 1.05)} == {comparison.INCOMPARABLE}


def test_relabel_lets_two_machines_meet_and_filters_by_name():
    before = result_set([1.0] * 5, [stats(0.99, 1.01)] * 5, machine="vm-a")
    after = result_set([1.0] * 5, [stats(0.99, 1.01)] * 5, machine="vm-b")
    unjoined = comparison.rows(before, after, 1.1)
    assert len(unjoined) == 10  # asv joins on machine too: nothing meets
    joined = comparison.rows(comparison.relabel(before, machine="x"), comparison.relabel(after, machine="x"), 1.1)
    assert len(joined) == 5 and all(r.mark == comparison.SAME for r in joined)
    assert comparison.relabel(before, keep="track_latency") == []


def test_rows_with_no_figure_on_either_side_are_left_out():
    nan = float("nan")
    before = result_set([1.0, nan, None, nan, 1.0], [stats(0.99, 1.01), None, None, None, stats(0.99, 1.01)])
    after = result_set([1.0, nan, None, 1.0, None], [stats(0.99, 1.01), None, None, stats(0.99, 1.01), None])
    kept = {r.benchmark.split("(")[1][1]: r.mark for r in comparison.rows(before, after, 1.05)}
    assert kept == {"a": comparison.SAME, "d": comparison.SAME, "e": comparison.BROKE}


def count_set(metric: str, values: list):
    """Counts as asv keeps them: one value per cell, no stats, no samples."""
    params = [["'a'", "'b'"]]
    return [(f"bench_counts.AsgiCounts.track_{metric}_per_request", params, values, None, None, "c", "m", "e")]


def test_counts_are_judged_by_factor_alone_each_metric_at_its_own():
    before = count_set("instructions", [100_000.0, 100_000.0]) + count_set("syscalls", [4.0, 4.0])
    after = count_set("instructions", [101_500.0, 100_500.0]) + count_set("syscalls", [4.8, 5.5])
    factors = {"instructions": 1.01, "syscalls": 1.25}
    marks = {(r.benchmark.split("(")[0].rsplit(".", 1)[1], r.benchmark.split("(")[1][1]): r.mark
             for r in comparison.rows_by_metric(before, after, factors)}
    # 1.5% more instructions is past 1.01; 0.5% is not. 20% more system calls is within 1.25; 37.5% is not.
    assert marks == {("track_instructions_per_request", "a"): comparison.WORSE,
                     ("track_instructions_per_request", "b"): comparison.SAME,
                     ("track_syscalls_per_request", "a"): comparison.SAME,
                     ("track_syscalls_per_request", "b"): comparison.WORSE}
    worse = comparison.worse_rows(before, after, factors)
    assert sorted(r.benchmark.split("(")[1][1] for r in worse) == ["a", "b"]
    assert comparison.default_factor("instructions") == comparison.COUNT_FACTOR
    assert comparison.default_factor("syscalls") == comparison.SYSCALLS_FACTOR
    assert comparison.default_factor("raw") == comparison.WALL_CLOCK_FACTOR
