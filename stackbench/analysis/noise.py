"""Where the variance lives, and which reference cancels the machine's drift.

Kalibera & Jones ("Rigorous benchmarking in reasonable time", ISMM 2013):
repeat at every level that carries variance, and choose how many inner
repetitions per outer one from the variance components and the costs. The
levels here are wrk runs within a server launch, launches within a session,
and sessions (minutes or hours apart). For a cell with launches i of
sessions s and runs j:

- within-launch variance: pooled variance of the runs of each launch;
- launch component: variance of launch means within a session, minus the
  within-launch part they still carry (variance / runs);
- session component: variance of session means, minus what the launches
  carry into it.

The optimal number of runs per launch is sqrt((cost of a launch / cost of a
run) x (within-launch variance / launch component)), rounded up.

The same data say which reference holds the machine still: a cell's session
means of seconds per request, divided by each reference's reading at the
same moments, should vary less between sessions than the raw figures. Pure
statistics; tools/noise.py measures and prints.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from ..session.runner import Outcome, Session


@dataclass(frozen=True)
class Components:
    """Coefficients of variation (stdev / mean) at each level, and counts."""

    mean: float  # seconds per request, over everything
    within_launch: float
    between_launches: float  # the launch component alone
    between_sessions: float  # the session component alone
    session_means_cv: float  # plain CV of session means (what a comparison of two sessions sees)
    sessions: int
    launches: int
    runs: int

    def optimal_runs(self, launch_cost: float, run_cost: float) -> float:
        """Kalibera & Jones's optimal runs per launch (unrounded)."""
        if self.between_launches <= 0:
            return math.inf
        return math.sqrt((launch_cost / run_cost) * (self.within_launch / self.between_launches) ** 2)


def _variance(values: Sequence[float]) -> float:
    return statistics.variance(values) if len(values) > 1 else 0.0


def components(per_session: Sequence[Sequence[Sequence[float]]]) -> Components:
    """Variance components of seconds per request: sessions > launches > runs."""
    launch_means = [[statistics.fmean(runs) for runs in launches] for launches in per_session]
    session_means = [statistics.fmean(means) for means in launch_means if means]
    everything = [x for launches in per_session for runs in launches for x in runs]
    mean = statistics.fmean(everything)
    runs_per_launch = statistics.fmean(len(runs) for launches in per_session for runs in launches)
    launches_per_session = statistics.fmean(len(launches) for launches in per_session)
    within = statistics.fmean(_variance(runs) for launches in per_session for runs in launches)
    between_launch_means = statistics.fmean(_variance(means) for means in launch_means)
    launch_part = max(between_launch_means - within / runs_per_launch, 0.0)
    session_part = max(_variance(session_means) - between_launch_means / launches_per_session, 0.0)
    return Components(
        mean=mean,
        within_launch=math.sqrt(within) / mean,
        between_launches=math.sqrt(launch_part) / mean,
        between_sessions=math.sqrt(session_part) / mean,
        session_means_cv=(statistics.stdev(session_means) / statistics.fmean(session_means)
                          if len(session_means) > 1 else 0.0),
        sessions=len(per_session),
        launches=sum(len(launches) for launches in per_session),
        runs=len(everything),
    )


def cell_runs(outcome: Outcome) -> list[list[float]]:
    """Per launch, the seconds per request of each wrk run."""
    return [[run.wrk.duration / run.wrk.requests for run in sample.result.runs] for sample in outcome.samples]


def session_ratio(outcome: Outcome, reference: str | None) -> float | None:
    """A session's mean seconds per request of a cell, divided by a reference (None: raw)."""
    values = []
    for sample in outcome.samples:
        if reference is None:
            values.append(sample.result.seconds_per_request)
        elif reference in sample.reference:
            values.append(sample.result.seconds_per_request / sample.reference[reference])
        else:
            return None
    return statistics.fmean(values) if values else None


def stability(sessions: Sequence[Session], references: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per cell and candidate ("raw" or a reference): CV of session means across sessions."""
    by_cell: dict[str, dict[str, list[float]]] = {}
    for session in sessions:
        for round_ in session.rounds:
            for (tag, key), outcome in round_.outcomes.items():
                if outcome.status != "measured":
                    continue
                cell = f"{key.server} + {key.framework} {key.scenario}" + (f" [{tag}]" if tag else "")
                for candidate in ("raw", *references):
                    value = session_ratio(outcome, None if candidate == "raw" else candidate)
                    if value is not None:
                        by_cell.setdefault(cell, {}).setdefault(candidate, []).append(value)
    return {
        cell: {c: statistics.stdev(v) / statistics.fmean(v) for c, v in candidates.items() if len(v) > 1}
        for cell, candidates in by_cell.items()
    }
