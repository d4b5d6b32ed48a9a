"""Measure every pair and scenario of one environment, with progress.

This is what the asv suite's `setup_cache` calls, once per environment and
commit. One pair failing is recorded as failed, with its reason, and the run
goes on; a pair whose packages the environment lacks, or that the selection
leaves out, is recorded as skipped, with its reason.
"""

from __future__ import annotations

import fnmatch
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, TextIO

from . import registry
from .contract import SCENARIOS, Scenario
from .errors import ConfigError, Interrupted, StackbenchError
from .measure import Measurement, Placement, Repeat, measure
from .settings import PREFIX, Settings
from .stacks import mismatches, normalize, parse_pins

PAIRS_VARIABLE = f"{PREFIX}PAIRS"

Status = Literal["measured", "failed", "skipped"]


class Key(NamedTuple):
    interface: str
    server: str
    framework: str
    scenario: str


@dataclass(frozen=True)
class Job:
    pair: registry.Pair
    scenario: Scenario

    @property
    def key(self) -> Key:
        return Key(self.pair.app.interface, self.pair.server.name, self.pair.app.framework, self.scenario.name)

    @property
    def label(self) -> str:
        return self.pair.describe(self.scenario.name)


@dataclass(frozen=True)
class Outcome:
    key: Key
    status: Status
    reason: str = ""
    measurement: Measurement | None = None


def selection_from_environ(environ: Mapping[str, str] | None = None) -> list[str] | None:
    """`STACKBENCH_PAIRS`: ``server:framework`` patterns (shell-style), or None for all.

    Example: ``STACKBENCH_PAIRS="uvicorn:starlette gunicorn:*"``.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(PAIRS_VARIABLE, "").replace(",", " ").split()
    if not raw:
        return None
    every = [f"{p.server.name}:{p.app.framework}" for p in registry.pairs()]
    for pattern in raw:
        if ":" not in pattern or not fnmatch.filter(every, pattern):
            raise ConfigError(
                f"{PAIRS_VARIABLE} pattern {pattern!r} matches no pair; give "
                f"server:framework patterns such as uvicorn:starlette or gunicorn:*"
            )
    return raw


def plan(
    present: Mapping[str, str], patterns: list[str] | None = None, *, stack: str = ""
) -> tuple[list[Job], list[Outcome]]:
    """The jobs to run in an environment holding `present`, and the skipped ones."""
    jobs, skipped = [], []
    for pair in registry.pairs():
        name = f"{pair.server.name}:{pair.app.framework}"
        missing = [
            registry.distribution(r)
            for r in pair.requires
            if normalize(registry.distribution(r)) not in present
        ]
        for scenario in SCENARIOS:
            job = Job(pair, scenario)
            if patterns is not None and not any(fnmatch.fnmatch(name, p) for p in patterns):
                reason = f"not selected by {PAIRS_VARIABLE}={' '.join(patterns)}"
                skipped.append(Outcome(job.key, "skipped", reason))
            elif missing:
                where = f"stack {stack!r}" if stack else "this environment"
                reason = f"{', '.join(missing)} not installed in {where}"
                skipped.append(Outcome(job.key, "skipped", reason))
            else:
                jobs.append(job)
    return jobs, skipped


class Progress:
    """One line per event, with how far along the run is and how long is left."""

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

    def _clock(self) -> str:
        elapsed = time.monotonic() - self.started
        per_job = elapsed / self.done if self.done else self.settings.seconds_per_scenario + 3
        left = per_job * (self.total - self.done)
        return f"{_duration(elapsed)} elapsed, ~{_duration(left)} left"

    def job_started(self, job: Job) -> None:
        self.say(f"{self.done + 1}/{self.total} {job.label}: starting | {self._clock()}")

    def repeat_done(self, job: Job, index: int, repeat: Repeat) -> None:
        self.say(
            f"{self.done + 1}/{self.total} {job.label}: repeat {index + 1}/"
            f"{self.settings.repeats} {repeat.wrk.requests_per_second:,.0f} req/s"
        )

    def job_done(self, job: Job, outcome: Outcome) -> None:
        self.done += 1
        if outcome.measurement is not None:
            rates = outcome.measurement.requests_per_second
            mean = sum(rates) / len(rates)
            spread = (sum((r - mean) ** 2 for r in rates) / (len(rates) - 1)) ** 0.5 / mean
            summary = f"{mean:,.0f} req/s (cv {spread:.1%})"
        else:
            summary = f"FAILED: {outcome.reason.splitlines()[0]}"
        self.say(f"{self.done}/{self.total} {job.label}: {summary} | {self._clock()}")


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def progress_streams() -> list[TextIO]:
    """stdout, and the terminal when there is one.

    asv shows a benchmark's output only with -v, or after a failure; writing
    to /dev/tty too lets a plain `asv run` show how far along it is.
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
    return streams


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Turn SIGTERM into `Interrupted`, so that `finally` blocks stop servers."""

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted(f"received signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(
    jobs: list[Job],
    settings: Settings,
    *,
    python: str,
    workdir: Path,
    progress: Progress,
    placement: Placement | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Measure each job in turn; failures are recorded, never raised."""
    placement = Placement.split() if placement is None else placement
    progress.say(f"{len(jobs)} measurements, {settings.describe()}; {placement.describe()}")
    outcomes = []
    with _sigterm_interrupts():
        for job in jobs:
            progress.job_started(job)
            try:
                measurement = measure(
                    job.pair,
                    job.scenario,
                    settings,
                    python=python,
                    workdir=workdir,
                    placement=placement,
                    on_repeat=lambda index, repeat, job=job: progress.repeat_done(job, index, repeat),
                )
                outcome = Outcome(job.key, "measured", measurement=measurement)
            except StackbenchError as error:
                outcome = Outcome(job.key, "failed", str(error))
            except Exception:  # a bug of ours or a library's: record it, go on
                outcome = Outcome(job.key, "failed", traceback.format_exc())
            outcomes.append(outcome)
            progress.job_done(job, outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return outcomes


def measure_environment(
    settings: Settings,
    *,
    python: str,
    present: Mapping[str, str],
    workdir: Path,
    stack: str = "",
    stack_file: Path | None = None,
    patterns: list[str] | None = None,
    streams: list[TextIO] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> dict[Key, Outcome]:
    """Every pair and scenario in the environment of `python`, by key.

    `present` is what that environment holds (`stacks.installed`). When
    `stack_file` is given, the environment must hold exactly its pins;
    otherwise nothing is measured and every pair fails saying what differs,
    because figures would be recorded against versions that were not there.
    """
    jobs, skipped = plan(present, patterns, stack=stack)
    progress = Progress(len(jobs), settings, f"stack {stack or '?'}", streams or [sys.stdout])
    report = on_outcome or (lambda outcome: None)
    for outcome in skipped:
        report(outcome)
    if stack_file is not None:
        wrong = mismatches(parse_pins(stack_file.read_text(), str(stack_file)), present)
        if wrong:
            reason = (
                f"the environment does not hold the pins of {stack_file}:\n  "
                + "\n  ".join(wrong)
                + "\nrebuild it: remove its folder under .asv/env and run asv again"
            )
            progress.say(reason)
            failed = [Outcome(job.key, "failed", reason) for job in jobs]
            for outcome in failed:
                report(outcome)
            return {o.key: o for o in [*failed, *skipped]}
    outcomes = run(jobs, settings, python=python, workdir=workdir, progress=progress, on_outcome=report)
    return {o.key: o for o in [*outcomes, *skipped]}
