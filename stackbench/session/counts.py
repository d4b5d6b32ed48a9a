"""Count every selected pair of one environment, as many at once as there are CPUs.

Counts do not change with load (measure/counting.py: instructions and system
calls per request, not time), so unlike a wall-clock session this one needs
no turns, no references and no quiet machine: `settings.workers` pairs are
counted side by side, each in its own launch under valgrind. One pair
failing is recorded with its reason and never stops the others; SIGTERM or
Ctrl-C stops every server still running before it propagates.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from .. import registry
from ..calibration import OFF, Calibration
from ..errors import StackbenchError
from ..measure.counting import (
    Counted,
    ProcessCount,
    Toolchain,
    WorkloadCount,
    count,
    workloads,
)
from ..serve.lifeline import Lifeline
from ..serve.server import RunningServer
from ..settings import CountSettings
from .runner import Key, sigterm_interrupts

CountStatus = Literal["counted", "failed", "skipped"]


@dataclass(frozen=True)
class PairCount:
    """One pair's counted launch, or why there is none."""

    interface: str
    server: str
    framework: str
    status: CountStatus
    reason: str = ""
    counted: Counted | None = None
    started_at: float = 0.0
    ended_at: float = 0.0
    tag: str = ""  # which environment counted it, when a session counts one pair in several (culprit)

    @property
    def label(self) -> str:
        where = f" [{self.tag}]" if self.tag else ""
        return f"{self.server} + {self.framework} ({self.interface.upper()}){where}"

    def key(self, workload: WorkloadCount) -> Key:
        return Key(self.interface, self.server, self.framework, workload.scenario, workload.connections)


@dataclass
class CountSession:
    """Everything one counting `setup_cache` did."""

    settings: CountSettings
    valgrind: str
    pairs: list[PairCount] = field(default_factory=list)
    started_at: float = 0.0
    ended_at: float = 0.0

    def cells(self) -> dict[Key, tuple[PairCount, WorkloadCount | None]]:
        """Each cell's pair outcome and its workload's counts (None: not counted)."""
        found: dict[Key, tuple[PairCount, WorkloadCount | None]] = {}
        for outcome in self.pairs:
            if outcome.counted is not None:
                for workload in outcome.counted.workloads:
                    found[outcome.key(workload)] = (outcome, workload)
            else:
                for workload in workloads(self.settings):
                    key = Key(outcome.interface, outcome.server, outcome.framework, workload.scenario.name,
                              workload.connections)
                    found[key] = (outcome, None)
        return found

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CountSession:
        settings = data["settings"]
        return cls(
            settings=CountSettings(**{**settings, "connections": tuple(settings["connections"])}),
            valgrind=data["valgrind"],
            pairs=[_pair_from_dict(p) for p in data["pairs"]],
            started_at=data["started_at"],
            ended_at=data["ended_at"],
        )


def _pair_from_dict(data: dict[str, Any]) -> PairCount:
    counted = data.get("counted")
    if counted is not None:
        counted = Counted(
            workloads=tuple(
                WorkloadCount(**{**w, "processes": tuple(ProcessCount(**p) for p in w["processes"])})
                for w in counted["workloads"]
            ),
            startup_seconds=counted["startup_seconds"],
            seconds=counted["seconds"],
        )
    return PairCount(**{**data, "counted": counted})


class CountProgress:
    """One line per pair counted: how far along, how long is left, failures as they happen."""

    def __init__(self, total: int, workers: int, say: Callable[[str], None]):
        self.total, self.workers, self.say = total, workers, say
        self.done = 0
        self.started = time.monotonic()

    def pair_done(self, outcome: PairCount) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        left = elapsed / self.done * (self.total - self.done)
        if outcome.counted is not None:
            first = outcome.counted.workloads[0]
            summary = (f"{first.instructions:,.0f} instructions, {first.syscalls:.2f} syscalls per request "
                       f"({first.scenario}, {first.connections} connection(s)); {outcome.counted.seconds:.0f} s")
        else:
            summary = f"FAILED: {outcome.reason.splitlines()[0][:300]}"
        self.say(f"counted {self.done}/{self.total} {outcome.label}: {summary} | "
                 f"{_duration(elapsed)} elapsed, ~{_duration(left)} left")


def _kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


@dataclass(frozen=True)
class CountJob:
    """One pair to count, in the environment of `python`; `tag` names that environment in the session."""

    pair: registry.Pair
    python: str
    tag: str = ""


def count_pairs(pairs: Sequence[registry.Pair], *, python: str, **options: Any) -> CountSession:
    """Count `pairs` under `python`; `options` as for count_jobs."""
    return count_jobs([CountJob(pair, python) for pair in pairs], **options)


def count_jobs(
    jobs: Sequence[CountJob],
    *,
    workdir: Path,
    settings: CountSettings,
    say: Callable[[str], None] = lambda line: None,
    lifeline: Lifeline | None = None,
    on_pair: Callable[[CountSession], None] | None = None,
    switch: Calibration = OFF,
) -> CountSession:
    """Count every job, `settings.workers` at once; the session, every job's outcome in it.

    SIGTERM or Ctrl-C ends every server still running before it propagates;
    a pair that fails is recorded with its reason and the others go on.
    """
    toolchain = Toolchain.find()
    session = CountSession(settings, toolchain.version, started_at=time.time())
    progress = CountProgress(len(jobs), settings.workers, say)
    running: dict[int, RunningServer] = {}
    lock = threading.Lock()
    stopping = threading.Event()

    def one(job: CountJob) -> PairCount:
        started, pair, python = time.time(), job.pair, job.python
        base = dict(interface=pair.app.interface, server=pair.server.name, framework=pair.app.framework,
                    tag=job.tag)
        if stopping.is_set():
            return PairCount(**base, status="failed", reason="the run was stopped before this pair")

        def track(server: RunningServer) -> None:
            with lock:
                running[id(job)] = server
                if stopping.is_set():  # launched while the run was being stopped: end it too
                    _kill_group(server.pid)

        try:
            counted = count(pair, python=python, workdir=workdir, settings=settings, toolchain=toolchain,
                            environ=switch.environ_for(pair), launched=track)
        except StackbenchError as error:
            return PairCount(**base, status="failed", reason=str(error), started_at=started, ended_at=time.time())
        except Exception:  # a bug here must not sink the other pairs
            return PairCount(**base, status="failed", reason=traceback.format_exc(), started_at=started,
                             ended_at=time.time())
        finally:
            with lock:
                running.pop(id(job), None)
        return PairCount(**base, status="counted", counted=counted, started_at=started, ended_at=time.time())

    pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="count")
    pending: set[Future[PairCount]] = set()
    queue = list(jobs)
    try:
        with sigterm_interrupts():
            while queue or pending:
                while queue and len(pending) < settings.workers:
                    if lifeline is not None:
                        lifeline.check()
                    pending.add(pool.submit(one, queue.pop(0)))
                done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in done:
                    outcome = future.result()
                    session.pairs.append(outcome)
                    progress.pair_done(outcome)
                    if on_pair is not None:
                        on_pair(session)
                if lifeline is not None:
                    lifeline.check()
    except BaseException:
        # Interrupted (SIGTERM), KeyboardInterrupt, asv gone: end every server now, then let it propagate.
        with lock:
            stopping.set()
            for server in running.values():
                _kill_group(server.pid)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    session.ended_at = time.time()
    return session
