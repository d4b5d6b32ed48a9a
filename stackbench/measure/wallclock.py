"""One launch: server S serving app F, start to stop, under each workload in turn.

1. start S on a free port of 127.0.0.1, pinned to a CPU of its own;
2. when asked, the response check: every scenario's contract verified, then
   one wrk run loading all of them at once at the highest concurrency, every
   response compared with the one that passed the contract; it also serves
   as the first workload's warm-up;
3. for each workload (a scenario at a concurrency): verify the scenario's
   contract; warm up (unless the check just did); then `settings.runs`
   recorded wrk runs, taking the server's CPU seconds around each; verify
   the contract again;
4. read the server's peak memory, and stop S whatever happened.

Any error on the way raises; a `Launch` exists only for a clean launch.
Whether wrk was the bottleneck is recorded per run (`Run.client_busy`);
judging it is the runner's job.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContractError, LoadError
from ..registry import Pair
from ..serve.contract import Scenario, verify
from ..serve.lifeline import Lifeline
from ..serve.server import HOST, RunningServer, serve, tail
from ..settings import Settings
from . import usage
from .load import Expected, LoadRun, check_responses, run_wrk
from .wrk import ResponseCheck, WrkResult


@dataclass(frozen=True)
class Placement:
    """Which CPUs the server and wrk may use (None: wherever the OS likes)."""

    server: frozenset[int] | None
    load: frozenset[int] | None

    @classmethod
    def split(cls) -> Placement:
        """With two or more CPUs, one for the server and another for wrk."""
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls(None, None)
        return cls(frozenset(cpus[:1]), frozenset(cpus[1:2]))

    def describe(self) -> str:
        if self.server is None:
            return "server and wrk share the CPUs (fewer than 2 available)"
        return f"server on CPU {_cpus(self.server)}, wrk on CPU {_cpus(self.load)}"


def _cpus(cpus: frozenset[int] | None) -> str:
    return ",".join(str(c) for c in sorted(cpus or ()))


@dataclass(frozen=True)
class Workload:
    """What one measurement asks of a server: a scenario at a concurrency."""

    scenario: Scenario
    connections: int

    @property
    def name(self) -> str:
        return f"{self.scenario.name}, {self.connections} connections"


@dataclass(frozen=True)
class Run:
    """One recorded wrk run and what the server spent during it."""

    wrk: WrkResult
    server_cpu_seconds: float
    wrk_cpu_seconds: float
    # How busy wrk's own CPU was during the run, whoever kept it busy (None: wrk had no CPU of its own).
    load_cpu_busy: float | None = None

    @property
    def client_busy(self) -> float:
        """How close the load generator was to its limit, 0 to 1.

        The share of time wrk's CPU was busy (with wrk or with anything else
        that took it from wrk), or, without a CPU of its own, wrk's CPU time
        over the run's wall time. Near 1, wrk, not the server, set the pace.
        """
        if self.load_cpu_busy is not None:
            return max(self.load_cpu_busy, self._wrk_share)
        return self._wrk_share

    @property
    def _wrk_share(self) -> float:
        return self.wrk_cpu_seconds / self.wrk.duration if self.wrk.duration else 0.0


@dataclass(frozen=True)
class WorkloadResult:
    """What one launch measured under one workload."""

    scenario: str
    connections: int
    runs: tuple[Run, ...]
    started_at: float  # seconds since the epoch, when the recorded runs began
    ended_at: float
    check: ResponseCheck | None  # the response check, if this launch ran it

    @property
    def at(self) -> float:
        """The middle of the recorded runs: when this figure was true."""
        return (self.started_at + self.ended_at) / 2

    @property
    def requests(self) -> int:
        return sum(r.wrk.requests for r in self.runs)

    @property
    def seconds_per_request(self) -> float:
        """The runs pooled: their wall time over the requests they completed."""
        return sum(r.wrk.duration for r in self.runs) / self.requests

    @property
    def requests_per_second(self) -> float:
        return 1.0 / self.seconds_per_request

    @property
    def server_cpu_seconds_per_request(self) -> float:
        return sum(r.server_cpu_seconds for r in self.runs) / self.requests

    @property
    def client_busy(self) -> float:
        """The busiest run's wrk CPU share."""
        return max(r.client_busy for r in self.runs)


@dataclass(frozen=True)
class Launch:
    """One start-to-stop of a server, and what it measured under each workload."""

    results: tuple[WorkloadResult, ...]
    # Sum of the peak resident memory (VmHWM) of the server's processes over
    # the whole launch, in bytes.
    peak_rss: int
    placement: Placement
    started_at: float
    ended_at: float

    def result(self, scenario: str, connections: int) -> WorkloadResult:
        for result in self.results:
            if (result.scenario, result.connections) == (scenario, connections):
                return result
        raise KeyError((scenario, connections))


def launch(
    pair: Pair,
    workloads: Sequence[Workload],
    settings: Settings,
    *,
    python: str,
    workdir: Path,
    placement: Placement | None = None,
    check_responses_of: frozenset[str] = frozenset(),
    lifeline: Lifeline | None = None,
    on_run: Callable[[Workload, int, Run], None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Launch:
    """Launch `pair` once and measure each workload; raises a `StackbenchError` on any failure.

    `check_responses_of`: the scenario names this launch runs the response
    check for, before any workload; each one's `ResponseCheck` is kept with
    its workload at the highest concurrency (faults under load show at the
    loaded level).
    """
    placement = Placement.split() if placement is None else placement
    started_at = time.time()
    with serve(
        pair,
        python=python,
        workdir=workdir,
        cpus=set(placement.server) if placement.server else None,
        startup_timeout=settings.startup_timeout,
        stop_grace=settings.stop_grace,
        environ=environ,
    ) as server:
        session = _Session(server, pair, settings, placement, lifeline, on_run)
        loaded = max(w.connections for w in workloads)
        checked = [w.scenario for w in workloads if w.scenario.name in check_responses_of and w.connections == loaded]
        results = []
        try:
            checks = session.check(checked, loaded) if checked else {}
            for index, workload in enumerate(workloads):
                check = checks.get(workload.scenario.name) if workload.connections == loaded else None
                results.append(session.measure(workload, check=check, warm=not (checks and index == 0)))
        except (ContractError, LoadError) as error:
            # The server's own words are usually the explanation.
            raise type(error)(f"{error}\n{_server_report(server)}") from error
        peak = usage.peak_rss(server.pid)
    return Launch(tuple(results), peak, placement, started_at, time.time())


@dataclass
class _Session:
    """The steps of one launch, against one running server."""

    server: RunningServer
    pair: Pair
    settings: Settings
    placement: Placement
    lifeline: Lifeline | None
    on_run: Callable[[Workload, int, Run], None] | None

    def check(self, scenarios: Sequence[Scenario], connections: int) -> dict[str, ResponseCheck]:
        """The response check of `scenarios`, all at once: each one's result, by name."""
        expected = []
        for scenario in scenarios:
            label = self._label(scenario, connections)
            accepted = verify(HOST, self.server.port, scenario, label=label)
            expected.append(Expected(f"{label}, response check", scenario.path, accepted.status, accepted.body))
        self._alive()
        by_path = check_responses(
            self.server.url(),
            expected,
            connections=connections,
            duration=self.settings.check,
            timeout=self.settings.request_timeout,
            label=f"{self.pair.describe(' and '.join(s.name for s in scenarios))} at {connections} connections, "
                  "response check",
            cpus=self._load_cpus,
        )
        return {scenario.name: by_path[scenario.path] for scenario in scenarios}

    def measure(self, workload: Workload, *, check: ResponseCheck | None, warm: bool) -> WorkloadResult:
        label = self._label(workload.scenario, workload.connections)
        verify(HOST, self.server.port, workload.scenario, label=label)
        if warm and self.settings.warmup:
            self._alive()
            self._load(workload, label, self.settings.warmup)
        runs = []
        started_at = time.time()
        for index in range(self.settings.runs):
            self._alive()
            before = usage.cpu_snapshot(self.server.pid)
            clock = usage.cpu_clock(self.placement.load) if self.placement.load else None
            load = self._load(workload, label, self.settings.duration)
            busy = usage.cpu_clock(self.placement.load).share_since(clock) if clock and self.placement.load else None
            after = usage.cpu_snapshot(self.server.pid)
            run = Run(wrk=load.result, server_cpu_seconds=after.since(before), wrk_cpu_seconds=load.cpu_seconds,
                      load_cpu_busy=busy)
            runs.append(run)
            if self.on_run is not None:
                self.on_run(workload, index, run)
        ended_at = time.time()
        # A server may answer right at first and wrongly once loaded.
        verify(HOST, self.server.port, workload.scenario, label=f"{label}, after the load")
        return WorkloadResult(workload.scenario.name, workload.connections, tuple(runs), started_at,
                              ended_at, check)

    def _label(self, scenario: Scenario, connections: int) -> str:
        return f"{self.pair.describe(scenario.name)} at {connections} connections"

    @property
    def _load_cpus(self) -> set[int] | None:
        return set(self.placement.load) if self.placement.load else None

    def _alive(self) -> None:
        if self.lifeline is not None:
            self.lifeline.check()

    def _load(self, workload: Workload, label: str, duration: int) -> LoadRun:
        return run_wrk(
            self.server.url(workload.scenario.path),
            connections=workload.connections,
            duration=duration,
            timeout=self.settings.request_timeout,
            label=label,
            cpus=self._load_cpus,
        )


def _server_report(server: RunningServer) -> str:
    status = server.process.poll()
    state = "is still running" if status is None else f"exited with status {status}"
    return f"The server {state}. Last lines of {server.log}:\n{tail(server.log)}"
