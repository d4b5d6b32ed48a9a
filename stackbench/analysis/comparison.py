"""Compare two sets of asv results row by row, exactly as `asv compare` does.

`asv compare` compares two commits of one machine. The project also needs
to compare what asv cannot put side by side: two machines (on the
normalized metric), two stacks at one commit (issue "history"), and to count
flagged rows (tools/sensitivity.py). So results are read with asv's own
`Results` class and each row is classified with asv's own functions
(`_is_result_better`, which applies the factor and asv's significance test);
`print_table` hands the same rows to asv's table printer, so the output
looks like `asv compare`'s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asv.commands.compare import Compare, _is_result_better, _isna, unroll_result
from asv.config import Config
from asv.results import iter_results_for_machine, iter_results_for_machine_and_hash
from asv_runner.statistics import compute_stats

from .. import ROOT

# asv's compare marks: worse, better, newly failing, newly working, not
# comparable (versions differ), beyond the factor but not significant, same.
WORSE, BETTER, BROKE, FIXED, INCOMPARABLE, INSIGNIFICANT, SAME = "+", "-", "!", "*", "x", "~", " "

# What asv's compare reads of one results file, per benchmark: the tuples it iterates.
ResultTuple = tuple[str, list, Any, Any, Any, Any, str, str]


@dataclass(frozen=True)
class Row:
    benchmark: str  # name(params), as asv prints it
    environment: str  # "machine/environment"
    before: float | None
    after: float | None
    mark: str

    @property
    def ratio(self) -> float | None:
        if _isna(self.before) or _isna(self.after) or not self.before:
            return None
        return self.after / self.before

    @property
    def flagged(self) -> bool:
        return self.mark in (WORSE, BETTER, BROKE, FIXED)


def load(results_dir: Path, machine: str, commit: str, env_names: Iterable[str] | None = None) -> list[ResultTuple]:
    """One commit's results on one machine, as asv's compare reads them."""
    wanted = set(env_names) if env_names is not None else None
    found = []
    for result in iter_results_for_machine_and_hash(str(results_dir), machine, commit):
        if wanted is not None and result.env_name not in wanted:
            continue
        for key in result.get_all_result_keys():
            params = result.get_result_params(key)
            found.append((key, params, result.get_result_value(key, params), result.get_result_stats(key, params),
                          result.get_result_samples(key, params), result.benchmark_version.get(key),
                          result.params["machine"], result.env_name))
    return found


def relabel(results: Iterable[ResultTuple], machine: str | None = None, env_name: str | None = None,
            keep: str | None = None) -> list[ResultTuple]:
    """Rename machine and/or environment, so that rows of two sets meet (asv joins on both).

    `keep`: only benchmarks whose name contains it.
    """
    return [
        (key, params, value, stats, samples, version, machine or m, env_name or e)
        for key, params, value, stats, samples, version, m, e in results
        if keep is None or keep in key
    ]


def _unrolled(results: Iterable[ResultTuple]) -> Iterator[tuple[tuple[str, str], Any, Any, Any, Any]]:
    for key, params, value, stats, samples, version, machine, env_name in results:
        for name, v, st, sa in unroll_result(key, params, value, stats, samples):
            yield (name, f"{machine}/{env_name}"), v, st, sa, version


def rows(before: list[ResultTuple], after: list[ResultTuple], factor: float) -> list[Row]:
    """Every row of the two sets, marked as `asv compare --factor` would mark it.

    Rows with a figure on neither side (pairs not selected, skipped or failed
    in both runs) are left out: there is nothing to compare.
    """
    first = {k: (v, st, sa, ver) for k, v, st, sa, ver in _unrolled(before)}
    second = {k: (v, st, sa, ver) for k, v, st, sa, ver in _unrolled(after)}
    found = []
    for name, env in sorted(set(first) | set(second)):
        v1, st1, sa1, ver1 = first.get((name, env), (math.nan, None, None, None))
        v2, st2, sa2, ver2 = second.get((name, env), (math.nan, None, None, None))
        if _no_figure(v1) and _no_figure(v2):
            continue
        if ver1 is not None and ver2 is not None and ver1 != ver2:
            mark = INCOMPARABLE
        elif v1 is not None and v2 is None:
            mark = BROKE
        elif v1 is None and v2 is not None:
            mark = FIXED
        elif _isna(v1) or _isna(v2):
            mark = SAME
        else:
            mark = _figures_mark(v1, (st1, sa1), v2, (st2, sa2), factor)
        found.append(Row(name, env, v1, v2, mark))
    return found


def _figures_mark(v1: float, ss1: tuple[Any, Any], v2: float, ss2: tuple[Any, Any], factor: float) -> str:
    """asv compare's mark for two figures with their (stats, samples); lower is better."""
    if _is_result_better(v2, v1, ss2, ss1, factor):
        return BETTER
    if _is_result_better(v1, v2, ss1, ss2, factor):
        return WORSE
    if _is_result_better(v1, v2, None, None, factor) or _is_result_better(v2, v1, None, None, factor):
        return INSIGNIFICANT
    return SAME


def mark(before: Sequence[float], after: Sequence[float], factor: float) -> str:
    """How `asv compare --factor` marks two sets of samples measured outside asv (seconds).

    The figures and statistics are asv's own (`compute_stats`: the median and
    its 99% interval), so a row here means what it means in asv's tables.
    """
    v1, st1 = compute_stats(list(before), 1)
    v2, st2 = compute_stats(list(after), 1)
    return _figures_mark(v1, (st1, list(before)), v2, (st2, list(after)), factor)


def mark_exact(before: float, after: float, factor: float) -> str:
    """How `asv compare --factor` marks two single values (counts: no samples, no interval)."""
    return _figures_mark(before, (None, None), after, (None, None), factor)


def _no_figure(value: float | None) -> bool:
    return value is None or _isna(value)


def print_table(conf: Any, before: list[ResultTuple], after: list[ResultTuple], *, factor: float,
                names: tuple[str, str], only_changed: bool = False, sort: str = "default",
                split: bool = False) -> tuple[bool, bool]:
    """asv's own compare table for two result sets; (worsened, improved) as asv returns them."""
    return Compare.print_table(
        conf, names[0], names[1], factor=factor, split=split, resultset_1=iter(before), resultset_2=iter(after),
        only_changed=only_changed, sort=sort, commit_names={names[0]: names[0], names[1]: names[1]},
    )


# The metrics a comparison can be made on: the benchmark name asv gives each (None: every one).
METRICS = {
    "instructions": "track_instructions_per_request",
    "cycles": "track_estimated_cycles_per_request",
    "syscalls": "track_syscalls_per_request",
    "normalized": "track_normalized_seconds_per_request",
    "raw": "track_seconds_per_request",
    "all": None,
}
# Counts (bench_counts, kept under the count machine) hardly move: instructions
# of one commit and stack counted twice on a quiet machine were a median
# 0.1% apart (36 cells, 9 pairs), all within 0.63% but daphne + starlette
# json at 32 connections (5.1%: Twisted's reactor batches by timing); on a
# loaded machine a median 0.2% (56 cells, 7 pairs on 2 stacks; 3 rows past
# 1%, at most 2.2%, event-loop servers). So 1% is a change, daphne at 32
# connections aside. System calls follow timing far more (how often an event
# loop polls before the next request is there: uvicorn + raw at 4.37 and
# 4.96 a request, granian + raw at 14.5 and 16.9 in one A/A), so they are
# judged at the wall-clock floor.
COUNT_METRICS = ("instructions", "cycles", "syscalls")
COUNT_FACTOR = 1.01
SYSCALLS_FACTOR = 1.25
# Wall-clock figures are judged at their measured noise floor, never finer:
# here a 22% slowdown was the smallest flagged every time, 5-10% about half
# the time, and A/A runs flagged 2.5% of rows at 1.05 (docs/noise.md).
WALL_CLOCK_FACTOR = 1.25


def default_factor(metric: str) -> float:
    """The factor a metric is judged at unless the user gives one."""
    if metric == "syscalls":
        return SYSCALLS_FACTOR
    return COUNT_FACTOR if metric in COUNT_METRICS else WALL_CLOCK_FACTOR


def rows_by_metric(before: list[ResultTuple], after: list[ResultTuple], factors: dict[str, float]) -> list[Row]:
    """Every row of the metrics in `factors` (a METRICS key -> factor), each marked at its own factor."""
    found = []
    for metric, factor in factors.items():
        name = METRICS[metric]
        kept = [r for r in before if name is None or name in r[0]], [r for r in after if name is None or name in r[0]]
        found += rows(*kept, factor)
    return found


def worse_rows(before: list[ResultTuple], after: list[ResultTuple], factors: dict[str, float]) -> list[Row]:
    """The rows of `after` significantly worse than `before` (or newly failing), each metric at its factor."""
    return [r for r in rows_by_metric(before, after, factors) if r.mark in (WORSE, BROKE)]


def report(before: list[ResultTuple], after: list[ResultTuple], *, names: tuple[str, str], metric: str,
           factor: float, only_changed: bool = False, sort: str = "default") -> bool:
    """asv's table of the two sets (already on one machine and environment label), then how many rows
    were compared and flagged; True when a row got significantly worse."""
    conf = Config.load(str(ROOT / "asv.conf.json"))
    worse, _ = print_table(conf, before, after, factor=factor, names=names, only_changed=only_changed, sort=sort)
    found = rows(before, after, factor)
    compared = [r for r in found if r.ratio is not None]
    flagged = [r for r in found if r.flagged]
    print(f"\n{len(compared)} rows compared ({metric}), {len(flagged)} flagged at --factor {factor}")
    return bool(worse)


def commits_with(results_dir: Path, machine: str, env_names: Iterable[str]) -> list[str]:
    """The commits that have results for every one of `env_names` on `machine`, newest first."""
    wanted = set(env_names)
    found: dict[str, tuple[set[str], int]] = {}
    for result in iter_results_for_machine(str(results_dir), machine):
        envs, date = found.get(result.commit_hash, (set(), 0))
        found[result.commit_hash] = (envs | {result.env_name}, max(date, result.date or 0))
    return [c for c, (envs, _) in sorted(found.items(), key=lambda item: -item[1][1]) if wanted <= envs]
