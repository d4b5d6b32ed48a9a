"""The figures asv tracks for every pair and scenario, all lower-is-better.

asv assumes a smaller number is an improvement, so throughput is tracked as
seconds per request (1 / requests per second). Each metric yields one sample
per recorded wrk run, so asv keeps their spread and `asv compare` can test a
change for significance instead of applying a bare factor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .measure import Measurement, Repeat


@dataclass(frozen=True)
class Metric:
    name: str  # the asv benchmark is track_<name>
    unit: str  # as asv shows it
    title: str
    description: str
    of: Callable[[Repeat], float]

    def samples(self, measurement: Measurement) -> list[float]:
        return [self.of(repeat) for repeat in measurement.repeats]


METRICS: tuple[Metric, ...] = (
    Metric(
        "seconds_per_request",
        "seconds",
        "Time per request",
        "1 / requests per second over a whole wrk run",
        lambda r: 1.0 / r.wrk.requests_per_second,
    ),
    Metric(
        "latency_p50",
        "seconds",
        "Median latency",
        "50th percentile of request latency seen by wrk",
        lambda r: r.wrk.latency.p50,
    ),
    Metric(
        "latency_p99",
        "seconds",
        "99th percentile latency",
        "99th percentile of request latency seen by wrk",
        lambda r: r.wrk.latency.p99,
    ),
    Metric(
        "cpu_seconds_per_request",
        "seconds",
        "Server CPU per request",
        "user + system CPU seconds of the server's process tree, per request",
        lambda r: r.server_cpu_seconds / r.wrk.requests,
    ),
    Metric(
        "peak_memory",
        "bytes",
        "Server peak memory",
        "sum of the peak resident memory of the server's processes",
        lambda r: float(r.server_peak_rss),
    ),
)

