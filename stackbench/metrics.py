"""The figures asv tracks for every pair and scenario, all lower-is-better.

asv assumes a smaller number is an improvement, so throughput is tracked as
seconds per request (1 / requests per second). Each metric yields one sample
per recorded wrk run, so asv keeps their spread and `asv compare` can test a
change for significance instead of applying a bare factor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .measure import Repeat


@dataclass(frozen=True)
class Metric:
    name: str  # the asv benchmark is track_<name>
    unit: str  # as asv shows it
    of: Callable[[Repeat], float]  # one sample from one wrk run

    def samples(self, repeats: Sequence[Repeat]) -> list[float]:
        return [self.of(repeat) for repeat in repeats]


METRICS: tuple[Metric, ...] = (
    # 1 / requests per second over a whole wrk run.
    Metric("seconds_per_request", "seconds", lambda r: 1.0 / r.wrk.requests_per_second),
    # 50th and 99th percentile of request latency, as wrk saw it.
    Metric("latency_p50", "seconds", lambda r: r.wrk.latency.p50),
    Metric("latency_p99", "seconds", lambda r: r.wrk.latency.p99),
    # User + system CPU seconds of the server's process tree, per request.
    Metric("cpu_seconds_per_request", "seconds", lambda r: r.server_cpu_seconds / r.wrk.requests),
    # Sum of the peak resident memory of the server's processes, in bytes.
    Metric("peak_memory", "bytes", lambda r: float(r.server_peak_rss)),
)
