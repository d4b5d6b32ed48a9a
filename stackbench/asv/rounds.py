"""Rounds with asv: tell asv how many, and hand each round its own samples once.

asv takes the number of rounds from a benchmark's `rounds` attribute, but its
runner exports that attribute for time benchmarks only; a track benchmark's
`rounds` never reaches results/benchmarks.json, so `asv continuous` would run
one round: commit A, then commit B, never interleaved. `export_rounds`
registers, ahead of asv_runner's own track type, a subclass that also exports
`rounds`. It changes nothing else (asv_runner 0.3.2, pinned in every
environment by pyproject.toml's dependencies).

asv runs rounds in one of two ways (asv/commands/run.py, asv/runner.py):

- interleaved (`asv continuous`, `asv run --interleave-rounds`): one
  `setup_cache` per round, each benchmark read once from it;
- not interleaved (`asv run`): one `setup_cache`, and every benchmark read
  from it once per round, the samples appended each time.

In the second case the same samples would be counted `rounds` times, which
would narrow asv's intervals for nothing. So `setup_cache` measures as many
rounds as asv will read (`Invocation.rounds_here`), and `round_for` counts,
in asv's cache folder, how often each benchmark has been read: the n-th read
gets round n. A read beyond the rounds measured is an error, never a repeat.
"""

from __future__ import annotations

import fcntl
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PairFailed
from ..session.reference import Reading
from ..session.runner import Key, Outcome, Session
from .metrics import METRICS, MissingReference

# asv's setup_cache folder holds this file; benchmarks run with it as working directory.
_CACHE_FILE = "cache.pickle"
_COUNTS = "stackbench-reads"


def export_rounds() -> None:
    """Make asv_runner export `rounds` for track benchmarks (see the module's docstring)."""
    from asv_runner.benchmarks import benchmark_types
    from asv_runner.benchmarks._base import _get_first_attr
    from asv_runner.benchmarks.track import TrackBenchmark

    if any(getattr(t, "exports_rounds", False) for t in benchmark_types):
        return

    class RoundsTrackBenchmark(TrackBenchmark):
        exports_rounds = True

        def __init__(self, name, func, attr_sources):
            super().__init__(name, func, attr_sources)
            self.rounds = int(_get_first_attr(attr_sources, "rounds", 1))

    benchmark_types.insert(benchmark_types.index(TrackBenchmark), RoundsTrackBenchmark)


@dataclass(frozen=True)
class HandedCell:
    """One cell of one round, as its track methods hand it to asv."""

    status: str  # measured | failed | skipped | client-bound
    reason: str = ""
    # Each metric's samples, one per launch, or why it has none.
    samples: dict[str, tuple[float, ...] | str] = field(default_factory=dict)

    @classmethod
    def of(cls, outcome: Outcome) -> HandedCell:
        samples: dict[str, tuple[float, ...] | str] = {}
        if outcome.status == "measured":
            for metric in METRICS:
                try:
                    samples[metric.name] = tuple(metric.samples(outcome.samples))
                except MissingReference as error:
                    samples[metric.name] = str(error)
        return cls(outcome.status, outcome.reason, samples)


@dataclass(frozen=True)
class HandedRound:
    cells: dict[Key, HandedCell]
    readings: list[Reading]

    def get(self, key: Key) -> HandedCell | None:
        return self.cells.get(key)


@dataclass
class Handout:
    """What `setup_cache` returns to asv: each round's cells and reference readings.

    asv's forkserver unpickles it once per benchmark and parameter
    combination, 3,200 times for the whole grid, so it holds only what the
    track methods return, computed once; the record keeps the launches (a
    handout of whole rounds took 9 ms to unpickle, a minute in all).
    """

    rounds: list[HandedRound]
    # References that could not be measured, and why.
    reference_failures: dict[str, str] = field(default_factory=dict)
    # Why nothing was measured at all (the suite runs under a count machine): every read is skipped.
    skip: str = ""

    @classmethod
    def of(cls, session: Session) -> Handout:
        rounds = [HandedRound({key: HandedCell.of(outcome)
                               for (tag, key), outcome in round_.outcomes.items() if not tag},
                              list(round_.readings))
                  for round_ in session.rounds]
        return cls(rounds, dict(session.reference_failures))


@dataclass(frozen=True)
class CountedCell:
    """One cell's counts per request, as bench_counts hands them to asv (one value each)."""

    status: str  # counted | failed | skipped
    reason: str = ""
    values: dict[str, float | None] = field(default_factory=dict)  # metric -> per request; None: not taken


@dataclass
class CountHandout:
    """What the counting `setup_cache` returns: each cell's counts, or why every read is skipped."""

    cells: dict[Key, CountedCell] = field(default_factory=dict)
    skip: str = ""


def round_for(handout: Handout, benchmark: str, cache_dir: Path | None = None) -> HandedRound:
    """The round a read of `benchmark` (name and parameters) gets: the n-th read, round n."""
    cache_dir = Path.cwd() if cache_dir is None else cache_dir
    if not (cache_dir / _CACHE_FILE).is_file():
        return handout.rounds[0]  # not under asv: nothing to count
    reads = _count(cache_dir / _COUNTS, benchmark)
    if reads > len(handout.rounds):
        raise PairFailed(
            f"asv read {benchmark} for round {reads}, but its setup_cache measured "
            f"{len(handout.rounds)} round(s); samples are never handed out twice. Pass the same "
            "round count to asv and the suite (-a rounds=N, STACKBENCH_ROUNDS), or use "
            "--interleave-rounds"
        )
    return handout.rounds[reads - 1]


def _count(folder: Path, benchmark: str) -> int:
    """Add one to `benchmark`'s read count in `folder`; the new count."""
    folder.mkdir(exist_ok=True)
    path = folder / re.sub(r"[^A-Za-z0-9_.-]+", "_", benchmark)
    with path.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        count = int(handle.read() or 0) + 1
        handle.seek(0)
        handle.truncate()
        handle.write(str(count))
    return count
