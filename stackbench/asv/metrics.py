"""The figures asv tracks for every cell, all lower-is-better, one sample per launch.

asv assumes a smaller number is an improvement, so throughput is tracked as
seconds per request (1 / requests per second). A sample is one server launch
(its wrk runs pooled), because launches, not wrk runs against one process,
are where the variance lives (settings.py); asv then computes intervals that
hold from one session to the next.

`normalized_seconds_per_request` divides each launch's seconds per request by
the reference's (`reference.NORMALIZER`) at that moment: a machine twice as
fast halves both, so the ratio compares across machines and hours.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import StackbenchError
from ..session.reference import NORMALIZER
from ..session.runner import Sample


class MissingReference(StackbenchError):
    """A normalized figure was asked for, but the reference was not measured."""


@dataclass(frozen=True)
class Metric:
    name: str  # the asv benchmark is track_<name>
    unit: str  # as asv shows it
    of: Callable[[Sample], float]  # one sample from one launch

    def samples(self, samples: Sequence[Sample]) -> list[float]:
        return [self.of(sample) for sample in samples]


def _normalized(sample: Sample) -> float:
    if NORMALIZER not in sample.reference:
        raise MissingReference(
            f"the reference {NORMALIZER!r} was not measured in this session, so there is no "
            "normalized figure; the record says why it failed"
        )
    return sample.result.seconds_per_request / sample.reference[NORMALIZER]


def _median_over_runs(of: Callable[..., float]) -> Callable[[Sample], float]:
    return lambda sample: statistics.median(of(run) for run in sample.result.runs)


METRICS: tuple[Metric, ...] = (
    # 1 / requests per second over the launch's wrk runs.
    Metric("seconds_per_request", "seconds", lambda s: s.result.seconds_per_request),
    # The same divided by the reference's at that moment: machine speed cancels.
    Metric("normalized_seconds_per_request", "ratio", _normalized),
    # 50th and 99th percentile of request latency, as wrk saw it (median over runs).
    Metric("latency_p50", "seconds", _median_over_runs(lambda run: run.wrk.latency.p50)),
    Metric("latency_p99", "seconds", _median_over_runs(lambda run: run.wrk.latency.p99)),
    # User + system CPU seconds of the server's process tree, per request.
    Metric("cpu_seconds_per_request", "seconds", lambda s: s.result.server_cpu_seconds_per_request),
    # Sum of the peak resident memory of the server's processes over the launch, in bytes.
    Metric("peak_memory", "bytes", lambda s: float(s.peak_rss)),
)


def find(name: str) -> Metric:
    for metric in METRICS:
        if metric.name == name:
            return metric
    raise KeyError(name)
