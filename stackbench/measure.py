"""One measurement: server S serving app F under scenario X, start to stop.

1. start S on a free port of 127.0.0.1, pinned to a CPU of its own;
2. wait until it answers, then verify the scenario's contract;
3. warm up, then run wrk `repeats` times, taking the server's CPU seconds
   and peak memory around each run;
4. verify the contract again, and stop S whatever happened.

Any error on the way raises; a `Measurement` exists only for a clean run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import usage
from .contract import Scenario, verify
from .errors import ContractError, LoadError
from .load import LoadRun, run_wrk
from .registry import Interface, Pair
from .server import HOST, RunningServer, serve, tail
from .settings import Settings
from .wrk import WrkResult


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
class Repeat:
    """One recorded wrk run and what the server spent during it."""

    wrk: WrkResult
    server_cpu_seconds: float
    # Sum of the peak resident memory of the server's processes so far, bytes.
    server_peak_rss: int
    wrk_cpu_seconds: float


@dataclass(frozen=True)
class Measurement:
    interface: Interface
    server: str
    framework: str
    scenario: str
    settings: Settings
    placement: Placement
    repeats: tuple[Repeat, ...]
    started_at: str  # ISO 8601, UTC

    @property
    def requests_per_second(self) -> list[float]:
        return [r.wrk.requests_per_second for r in self.repeats]


def measure(
    pair: Pair,
    scenario: Scenario,
    settings: Settings,
    *,
    python: str,
    workdir: Path,
    placement: Placement | None = None,
    on_repeat: Callable[[int, Repeat], None] | None = None,
) -> Measurement:
    """Measure `pair` under `scenario`; raises a `StackbenchError` on any failure."""
    placement = Placement.split() if placement is None else placement
    label = pair.describe(scenario.name)
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with serve(
        pair,
        python=python,
        workdir=workdir,
        cpus=set(placement.server) if placement.server else None,
        startup_timeout=settings.startup_timeout,
        stop_grace=settings.stop_grace,
    ) as server:
        try:
            repeats = _run(server, scenario, settings, placement, label, on_repeat)
        except (ContractError, LoadError) as error:
            # The server's own words are usually the explanation.
            raise type(error)(f"{error}\n{_server_report(server)}") from error
    return Measurement(
        interface=pair.app.interface,
        server=pair.server.name,
        framework=pair.app.framework,
        scenario=scenario.name,
        settings=settings,
        placement=placement,
        repeats=tuple(repeats),
        started_at=started_at,
    )


def _run(
    server: RunningServer,
    scenario: Scenario,
    settings: Settings,
    placement: Placement,
    label: str,
    on_repeat: Callable[[int, Repeat], None] | None,
) -> list[Repeat]:
    verify(HOST, server.port, scenario, label=label)
    if settings.warmup:
        _load(server, scenario, settings, placement, label, settings.warmup)
    repeats = []
    for index in range(settings.repeats):
        before = usage.cpu_snapshot(server.pid)
        run = _load(server, scenario, settings, placement, label, settings.duration)
        after = usage.cpu_snapshot(server.pid)
        repeat = Repeat(
            wrk=run.result,
            server_cpu_seconds=after.since(before),
            server_peak_rss=usage.peak_rss(server.pid),
            wrk_cpu_seconds=run.cpu_seconds,
        )
        repeats.append(repeat)
        if on_repeat is not None:
            on_repeat(index, repeat)
    # A server may answer right at first and wrongly once loaded.
    verify(HOST, server.port, scenario, label=f"{label}, after the load")
    return repeats


def _load(
    server: RunningServer,
    scenario: Scenario,
    settings: Settings,
    placement: Placement,
    label: str,
    duration: int,
) -> LoadRun:
    return run_wrk(
        server.url(scenario.path),
        connections=settings.connections,
        duration=duration,
        timeout=settings.request_timeout,
        label=label,
        cpus=set(placement.load) if placement.load else None,
    )


def _server_report(server: RunningServer) -> str:
    status = server.process.poll()
    state = "is still running" if status is None else f"exited with status {status}"
    return f"The server {state}. Last lines of {server.log}:\n{tail(server.log)}"
