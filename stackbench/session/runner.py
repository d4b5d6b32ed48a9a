"""Measure every selected pair of one environment: a session of interleaved launches.

A session runs `rounds` rounds. Each round launches every pair `launches`
times, taking turns (round-robin, the order reversed every other cycle), so
that a noisy minute of the host hits all pairs alike and every pair's
samples come from several launches spread over the round. Each launch
measures all of the pair's workloads. The references (`reference.py`) are
measured at the start, whenever `reference_interval` seconds of pair
launches have passed, and at the end, so that every launch can be divided
by a reference read at (nearly) the same moment.

One pair failing never stops the session: it is recorded as failed with its
reason and not launched again this session. A pair whose packages the
environment lacks is recorded as skipped; one whose wrk runs used ~all of
wrk's core is recorded as client-bound, never as the server's figure.
"""

from __future__ import annotations

import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple, TextIO

from .. import registry
from ..calibration import OFF, Calibration
from ..errors import Interrupted, StackbenchError
from ..measure import usage
from ..measure.wallclock import Launch, Placement, Workload, WorkloadResult, launch
from ..serve.contract import SCENARIOS
from ..serve.lifeline import Lifeline
from ..settings import CountSettings, Settings
from ..stacks import normalize
from . import reference

Status = Literal["measured", "failed", "skipped", "client-bound"]


class Key(NamedTuple):
    """One cell of the grid: a pair under a workload."""

    interface: str
    server: str
    framework: str
    scenario: str
    connections: int


@dataclass(frozen=True, eq=False)
class Job:
    """A pair and the workloads each of its launches measures (compared by identity)."""

    pair: registry.Pair
    workloads: tuple[Workload, ...]
    # The interpreter of the environment to serve from; None: the session's.
    python: str | None = None
    # How progress and records name it when the pair alone does not (e.g. its environment).
    tag: str = ""

    def key(self, workload: Workload) -> Key:
        return Key(self.pair.app.interface, self.pair.server.name, self.pair.app.framework,
                   workload.scenario.name, workload.connections)

    @property
    def keys(self) -> list[Key]:
        return [self.key(w) for w in self.workloads]

    @property
    def label(self) -> str:
        tag = f" [{self.tag}]" if self.tag else ""
        return f"{self.pair.label} ({self.pair.app.interface.upper()}){tag}"


@dataclass(frozen=True)
class Sample:
    """One launch's figures for one cell: what asv gets one sample of, per metric."""

    launch: int  # the launch's number within the session
    result: WorkloadResult
    peak_rss: int
    # Each reference's seconds (per request, or per loop) at the moment of this result.
    reference: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    key: Key
    status: Status
    reason: str = ""
    samples: tuple[Sample, ...] = ()
    tag: str = ""  # the job's tag, when one session measures a pair in several environments


@dataclass
class Round:
    """What one asv round gets: an outcome per cell, and the reference readings taken."""

    outcomes: dict[tuple[str, Key], Outcome] = field(default_factory=dict)
    readings: list[reference.Reading] = field(default_factory=list)

    def get(self, key: Key, tag: str = "") -> Outcome | None:
        return self.outcomes.get((tag, key))

    def add(self, outcome: Outcome) -> None:
        self.outcomes[(outcome.tag, outcome.key)] = outcome


@dataclass
class Session:
    """Everything one `setup_cache` measured: its rounds, in order."""

    rounds: list[Round]
    started_at: float
    ended_at: float
    placement: Placement
    # References that could not be measured, and why.
    reference_failures: dict[str, str] = field(default_factory=dict)


def workloads(connections: Sequence[int]) -> tuple[Workload, ...]:
    return tuple(Workload(s, c) for s in SCENARIOS for c in connections)


def plan(
    present: Mapping[str, str],
    settings: Settings | CountSettings,
    *,
    selected: Callable[[Key], bool] = lambda key: True,
    stack: str = "",
    pairs: Sequence[registry.Pair] | None = None,
    absent: Mapping[str, str] | None = None,
) -> tuple[list[Job], list[Outcome]]:
    """The jobs to run in an environment holding `present`, and the skipped cells.

    Cells that `selected` rejects (asv's -b left them out) are neither run
    nor reported: asv will not ask for them. `absent` says why the stack
    lacks a package (stacks.Stack.absent), for the skipped cells' reason.
    """
    jobs, skipped = [], []
    for pair in registry.pairs() if pairs is None else pairs:
        missing = [registry.distribution(r) for r in pair.requires
                   if normalize(registry.distribution(r)) not in present]
        wanted = tuple(w for w in workloads(settings.connections)
                       if selected(Job(pair, (w,)).key(w)))
        if not wanted:
            continue
        job = Job(pair, wanted)
        if missing:
            where = f"stack {stack!r}" if stack else "this environment"
            why = [f"{name}: {(absent or {})[normalize(name)]}" for name in missing
                   if normalize(name) in (absent or {})]
            reason = f"{', '.join(missing)} not installed in {where}" + (f" ({'; '.join(why)})" if why else "")
            skipped += [Outcome(key, "skipped", reason) for key in job.keys]
        else:
            jobs.append(job)
    return jobs, skipped


class Progress:
    """One line per event, with how far along the session is and how long is left."""

    def __init__(self, total: int, settings: Settings, context: str, streams: list[TextIO]):
        self.total = total
        self.settings = settings
        self.context = context
        self.streams = streams
        self.done = 0
        self.started = time.monotonic()

    def say(self, text: str) -> None:
        line = f"[{self.context}] {text}\n"
        for stream in self.streams:
            try:
                stream.write(line)
                stream.flush()
            except OSError:
                pass

    def clock(self) -> str:
        elapsed = time.monotonic() - self.started
        per_launch = elapsed / self.done if self.done else self.settings.seconds_per_launch * 2 + 2
        left = per_launch * (self.total - self.done)
        return f"{_duration(elapsed)} elapsed, ~{_duration(left)} left"

    def launch_done(self, job: Job, where: str, result: Launch | str) -> None:
        self.done += 1
        if isinstance(result, str):
            summary = f"FAILED: {result.splitlines()[0]}"
        else:
            summary = ", ".join(f"{r.scenario} {r.requests_per_second:,.0f} req/s" for r in result.results)
        self.say(f"{self.done}/{self.total} {where} {job.label}: {summary} | {self.clock()}")


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def progress_streams(asv_pid: int = 0) -> list[TextIO]:
    """stdout, the terminal when there is one, and asv's own output when it goes to a file or pipe.

    asv shows a benchmark's output only with -v, or after a failure, and a
    setup_cache's only when it ends; writing to /dev/tty too lets a plain
    `asv run` show how far along it is. Run with its output to a file (CI,
    cron, the gate: no terminal), asv's process `asv_pid` gets the lines on
    its own stdout (/proc/PID/fd/1), so that the log shows them as they happen.
    """
    streams: list[TextIO] = [sys.stdout]
    try:
        # Writing from a background process group must not stop us.
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        terminal = open("/dev/tty", "w")
        terminal.write("\n")  # asv's own progress line has no newline yet
        streams.append(terminal)
    except OSError:
        pass
    if asv_pid:
        try:
            log = open(f"/proc/{asv_pid}/fd/1", "a")
        except OSError:
            pass
        else:
            if log.isatty():
                log.close()  # a terminal: /dev/tty has it already
            else:
                log.write("\n")
                streams.append(log)
    return streams


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into `Interrupted`, so that `finally` blocks stop servers."""

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(f"received signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Environment:
    """Where a session runs: the interpreters, a scratch folder, the CPUs."""

    python: str  # the measured environment's
    workdir: Path
    placement: Placement = field(default_factory=Placement.split)
    # The frozen reference environment's Python; None measures no references.
    frozen_python: str | None = None
    lifeline: Lifeline | None = None
    # The measured commit's calibration switch: a fixed cost in one framework's apps.
    calibration: Calibration = OFF


class _Runner:
    def __init__(self, jobs: list[Job], settings: Settings, rounds: int, where: Environment,
                 progress: Progress, on_launch: Callable[[Session], None] | None):
        self.jobs = jobs
        self.settings = settings
        self.where = where
        self.progress = progress
        self.on_launch = on_launch
        self.session = Session([Round() for _ in range(rounds)], time.time(), 0.0, where.placement)
        # Per round: launches of each job so far, and why a job failed.
        self.launches: list[dict[Job, list[tuple[int, Launch]]]] = [{} for _ in range(rounds)]
        self.failed: dict[Job, str] = {}
        self.checked: set[Job] = set()
        self.count = 0
        self.last_reference = float("-inf")

    def run(self) -> Session:
        with sigterm_interrupts():
            self._settle()
            for number in range(len(self.session.rounds)):
                for cycle in range(self.settings.launches):
                    backwards = (number * self.settings.launches + cycle) % 2 == 1
                    for job in reversed(self.jobs) if backwards else self.jobs:
                        if job in self.failed:
                            continue
                        self._references_if_due(number)
                        self._launch(job, number, cycle)
                self._references(number)  # every round ends with a reading
        self.session.ended_at = time.time()
        for number in range(len(self.session.rounds)):
            self._outcomes(number)
        return self.session

    def _settle(self) -> None:
        """Start on quiet CPUs (usage.settle): once per session, before the first reading."""
        cpus = self.where.placement.load
        if cpus is None:
            return
        waited, quiet = usage.settle(cpus)
        if waited > 1.5 or not quiet:
            self.progress.say(f"waited {waited:.0f} s for wrk's CPU to go quiet"
                              + ("" if quiet else "; it did not: runs it slows are refused as client-bound"))

    def _alive(self) -> None:
        if self.where.lifeline is not None:
            self.where.lifeline.check()

    def _launch(self, job: Job, number: int, cycle: int) -> None:
        self._alive()
        where = f"round {number + 1}/{len(self.session.rounds)}, launch {cycle + 1}/{self.settings.launches},"
        # Alternate which scenario comes first, so that neither always runs on a fresher server.
        ordered = job.workloads if cycle % 2 == 0 else tuple(reversed(job.workloads))
        check = frozenset() if job in self.checked else frozenset(w.scenario.name for w in job.workloads)
        try:
            result = launch(job.pair, ordered, self.settings, python=job.python or self.where.python,
                            workdir=self.where.workdir, placement=self.where.placement,
                            check_responses_of=check, lifeline=self.where.lifeline,
                            environ=self.where.calibration.environ_for(job.pair))
        except StackbenchError as error:
            self._fail(job, number, str(error), where)
            return
        except Exception:  # a bug of ours or a library's: record it, go on
            self._fail(job, number, traceback.format_exc(), where)
            return
        self.checked.add(job)
        self.count += 1
        self.launches[number].setdefault(job, []).append((self.count, result))
        self.progress.launch_done(job, where, result)
        self._changed()

    def _fail(self, job: Job, number: int, reason: str, where: str) -> None:
        self.failed[job] = reason
        self.progress.launch_done(job, where, reason)
        self._changed()

    def _changed(self) -> None:
        if self.on_launch is not None:
            self.on_launch(self.session)

    def _references_if_due(self, number: int) -> None:
        if time.monotonic() - self.last_reference >= self.settings.reference_interval:
            self._references(number)

    def _references(self, number: int) -> None:
        if self.where.frozen_python is None:
            return
        self.last_reference = time.monotonic()
        readings = self.session.rounds[number].readings
        for candidate in reference.REFERENCES:
            if candidate.name in self.session.reference_failures:
                continue
            self._alive()
            try:
                readings.append(self._read(candidate))
            except StackbenchError as error:
                self.session.reference_failures[candidate.name] = str(error)
                self.progress.say(f"reference {candidate.name} FAILED: {str(error).splitlines()[0]}")
        shown = ", ".join(f"{r.reference} {_per_second(r)}" for r in readings[-len(reference.REFERENCES):])
        self.progress.say(f"references: {shown}")
        self._changed()

    def _read(self, candidate: reference.Reference) -> reference.Reading:
        python = self.where.frozen_python if candidate.frozen else self.where.python
        assert python is not None
        if candidate.kind == "loop":
            cpus = set(self.where.placement.server) if self.where.placement.server else None
            at = time.time()
            return reference.Reading(candidate.name, at, reference.run_cpu_loop(python, cpus))
        assert candidate.pair is not None
        plaintext = Workload(SCENARIOS[0], self.settings.loaded)
        measured = launch(candidate.pair, (plaintext,), self.settings, python=python,
                          workdir=self.where.workdir, placement=self.where.placement,
                          lifeline=self.where.lifeline)
        result = measured.results[0]
        return reference.Reading(candidate.name, result.at, result.seconds_per_request, result.client_busy)

    def _outcomes(self, number: int) -> None:
        round_ = self.session.rounds[number]
        series = {name: reference.Series([r for rnd in self.session.rounds for r in rnd.readings
                                          if r.reference == name])
                  for name in (c.name for c in reference.REFERENCES)}
        for job in self.jobs:
            done = self.launches[number].get(job, [])
            for workload in job.workloads:
                key = job.key(workload)
                samples = tuple(
                    Sample(count, result, launched.peak_rss,
                           {name: s.at(result.at) for name, s in series.items() if s})
                    for count, launched in done
                    for result in [launched.result(workload.scenario.name, workload.connections)]
                )
                if job in self.failed or not samples:
                    # asv gets the failure; the record keeps the launches that worked.
                    reason = self.failed.get(job, "no launch completed")
                    round_.add(Outcome(key, "failed", reason, samples, job.tag))
                    continue
                busy = max(s.result.client_busy for s in samples)
                if busy >= self.settings.client_bound:
                    reason = (f"client-bound: wrk's CPU was {busy:.0%} busy in a run (limit "
                              f"{self.settings.client_bound:.0%}), so the load generator, not the "
                              "server, set the pace")
                    round_.add(Outcome(key, "client-bound", reason, samples, job.tag))
                else:
                    round_.add(Outcome(key, "measured", samples=samples, tag=job.tag))


def _per_second(reading: reference.Reading) -> str:
    if reading.reference == reference.CPU_LOOP.name:
        return f"{reading.seconds * 1e9:,.0f} ns/iteration"
    busy = f", wrk {reading.client_busy:.0%}" if reading.client_busy is not None else ""
    return f"{1 / reading.seconds:,.0f} req/s{busy}"


def run_session(
    jobs: list[Job],
    settings: Settings,
    where: Environment,
    *,
    rounds: int = 1,
    progress: Progress | None = None,
    on_launch: Callable[[Session], None] | None = None,
) -> Session:
    """Measure `jobs` for `rounds` rounds; failures are recorded, never raised.

    `on_launch` is called with the session so far after every launch and
    reference reading (the record keeps it). `Interrupted` (SIGTERM, asv
    gone) propagates, after the running server was stopped.
    """
    total = rounds * settings.launches * len(jobs)
    progress = progress or Progress(total, settings, "session", [])
    progress.say(f"{len(jobs)} pairs, {settings.describe()} (this session: {rounds}); "
                 f"{where.placement.describe()}")
    return _Runner(jobs, settings, rounds, where, progress, on_launch).run()
