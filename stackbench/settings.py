"""How long and how hard to measure: profiles and environment variables.

The variance of a server's throughput lives at three levels: between wrk
runs against one server process (small), between launches of the server
(larger: memory layout, CPU placement, that minute of the host) and between
sessions minutes or hours apart (largest: the cloud host drifts). Samples
must span the levels that carry the variance, or the intervals asv computes
are too narrow and `asv compare` flags noise (Kalibera & Jones, "Rigorous
benchmarking in reasonable time", ISMM 2013). So:

- one sample handed to asv is one server *launch* (its `runs` wrk runs
  pooled), never one wrk run;
- each round launches every pair `launches` times, the pairs taking turns
  (round-robin), so that a noisy minute hits all of them alike;
- asv runs `rounds` rounds; `asv continuous` interleaves them between the two
  commits (round 1 of A, round 1 of B, round 2 of B, round 2 of A...).

A profile sets everything at once; single variables override it:

    STACKBENCH_PROFILE      quick | default | full            (default: default)
    STACKBENCH_CONNECTIONS  wrk connections kept open, one level or several
                            separated by commas                (default 1,32)
    STACKBENCH_DURATION     seconds per recorded wrk run      (default 2)
    STACKBENCH_RUNS         recorded wrk runs per launch      (default 1)
    STACKBENCH_LAUNCHES     server launches per pair a round  (default 4)
    STACKBENCH_ROUNDS       asv rounds                        (default 2)
    STACKBENCH_WARMUP       seconds of unrecorded load per launch (default 1)

Two concurrencies by default: 1 connection (latency without queueing, the
original study's setting) and 32, which keeps one worker saturated (the
loaded level the charts show first). The profiles keep the same levels, so a
quick run measures the same thing as a full one, only with fewer and shorter
samples. docs/noise.md has the
measurements behind the default profile's numbers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace

from .errors import ConfigError

PREFIX = "STACKBENCH_"


@dataclass(frozen=True)
class Settings:
    # wrk's concurrency levels, lowest first; every workload is measured at each.
    connections: tuple[int, ...] = (1, 32)
    duration: int = 2  # seconds per recorded wrk run; wrk only takes whole seconds
    runs: int = 1  # recorded wrk runs per launch, pooled into one sample
    launches: int = 4  # launches of every pair per round
    rounds: int = 2  # asv rounds: each one measures `launches` more launches per pair
    warmup: int = 1  # seconds of unrecorded load after each launch; 0 skips it
    # Seconds of the unrecorded run that checks every response under load
    # (once per pair a session, every scenario at once, in place of the first
    # workload's warm-up).
    check: int = 1
    # A request slower than this is a wrk timeout error, which fails the pair.
    request_timeout: int = 5
    # How long a server may take to answer its first request.
    startup_timeout: float = 30.0
    # How long a server may take to exit after its stop signal, before SIGKILL.
    stop_grace: float = 10.0
    # wrk busy for this share of a run's wall time or more: the load generator,
    # not the server, set the pace, and the figure is not the server's.
    client_bound: float = 0.9
    # Measure the references again after this many seconds of pair launches,
    # so that every launch has a reference measured within about that long.
    reference_interval: float = 60.0

    def __post_init__(self) -> None:
        levels = self.connections
        if (not isinstance(levels, tuple) or not levels or any(not isinstance(c, int) or c < 1 for c in levels)
                or list(levels) != sorted(set(levels))):
            shown = levels_text(levels) if isinstance(levels, tuple) else repr(levels)
            raise ConfigError(
                f"{PREFIX}CONNECTIONS={shown} is not a list of whole numbers >= 1, lowest first, each once; the default is "
                f"{levels_text(Settings.connections)}"
            )
        for name, low in MINIMUM.items():
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                raise ConfigError(
                    f"{PREFIX}{name.upper()}={value!r} is not a whole number >= {low}; "
                    f"the default is {getattr(Settings, name)}"
                )

    @property
    def loaded(self) -> int:
        """The highest concurrency: the level the references are read at."""
        return self.connections[-1]

    @property
    def seconds_per_launch(self) -> int:
        """Load time of one launch of one scenario (warm-up and recorded runs)."""
        return self.warmup + self.runs * self.duration

    @property
    def longest_silence(self) -> float:
        """An upper bound, in seconds, on any single step of a run.

        Starting a server, one wrk run (bounded by its own timeout) and
        stopping a server each finish or fail within it; asv's inactivity
        timeout for the whole measurement is set from it.
        """
        wrk_run = max(self.duration, self.warmup, self.check) + self.request_timeout + 30
        return self.startup_timeout + self.stop_grace + 2 * wrk_run + 60

    def longest_session(self, pairs: int, scenarios: int = 2) -> float:
        """An upper bound, in seconds, on one setup_cache measuring `pairs` pairs.

        asv's forkserver (asv.conf.json's launch_method) times setup_cache by
        its total time, not by silence; each step inside it has its own bound
        (longest_silence), so this only has to be generous.
        """
        workloads = scenarios * len(self.connections)
        per_launch = workloads * (self.seconds_per_launch + self.check + 5) + 15
        return pairs * self.launches * self.rounds * per_launch + 600

    def describe(self) -> str:
        return (
            f"{' and '.join(map(str, self.connections))} connections; per round {self.launches} launches of "
            f"{self.runs} x {self.duration} s after {self.warmup} s warm-up; {self.rounds} rounds"
        )


# The smallest value each variable may take.
MINIMUM = {"duration": 1, "runs": 1, "launches": 1, "rounds": 1, "warmup": 0}

PROFILES: dict[str, Settings] = {
    # Smoke runs: enough to see that everything works, too few samples to compare.
    # No warm-up (the response check still runs, at the loaded level), so that
    # the whole grid takes minutes.
    # References every 3 minutes rather than every minute: with one launch per
    # pair the normalized figures are smoke-level anyway, and a reading of the
    # three references takes ~3 s, 45 s of a whole-grid run at one a minute.
    "quick": Settings(duration=1, runs=1, launches=1, rounds=1, warmup=0, reference_interval=180.0),
    "default": Settings(),
    # Longer runs for figures you mean to publish.
    "full": Settings(duration=5, runs=2, launches=5, rounds=3, warmup=2, check=3),
}

OVERRIDABLE = ("connections", *MINIMUM)
# Variables of earlier versions, and what replaced them.
RETIRED = {
    "REPEATS": "a sample is now one server launch: set STACKBENCH_LAUNCHES (and STACKBENCH_ROUNDS)",
}


def from_environ(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings the environment asks for, with a clear error for bad values."""
    environ = os.environ if environ is None else environ
    for name, instead in RETIRED.items():
        if environ.get(f"{PREFIX}{name}"):
            raise ConfigError(f"{PREFIX}{name} is no longer read: {instead}")
    profile = environ.get(f"{PREFIX}PROFILE", "default")
    if profile not in PROFILES:
        raise ConfigError(
            f"{PREFIX}PROFILE={profile!r} is not a profile; choose one of "
            f"{', '.join(PROFILES)}"
        )
    overrides: dict[str, int | tuple[int, ...]] = {}
    for name in OVERRIDABLE:
        raw = environ.get(f"{PREFIX}{name.upper()}")
        if raw is None or raw == "":
            continue
        try:
            overrides[name] = tuple(int(v) for v in raw.split(",")) if name == "connections" else int(raw)
        except ValueError:
            raise ConfigError(
                f"{PREFIX}{name.upper()}={raw!r} is not a whole number; "
                f"unset it or give e.g. {levels_text(getattr(PROFILES[profile], name))}"
            ) from None
    return replace(PROFILES[profile], **overrides)


@dataclass(frozen=True)
class CountSettings:
    """How exact counts are taken (measure/counting.py): the same in every profile.

    A count per request depends on how many requests it is divided by (the
    connections' set-up and the event loop's clock ticks are spread over
    them), so counts compare only at equal settings; they are part of the
    count benchmarks' asv version (benchmarks/bench_counts.py).

        STACKBENCH_COUNT_REQUESTS  requests counted per workload  (default 500)
        STACKBENCH_COUNT_WARMUP    uncounted requests before them (default 100)
        STACKBENCH_COUNT_CYCLES    1: also simulate caches for estimated cycles (~3x slower)
        STACKBENCH_COUNT_JOBS      pairs counted at once          (default: one per CPU)
    """

    connections: tuple[int, ...] = Settings.connections
    requests: int = 500
    warmup: int = 100
    cycles: bool = False
    jobs: int = 0  # 0: one per CPU this process may use
    # Under valgrind a server starts 10-50x slower than natively, and its exit writes the counts.
    startup_timeout: float = 300.0
    stop_grace: float = 60.0

    def __post_init__(self) -> None:
        for name, low in (("requests", 1), ("warmup", 0), ("jobs", 0)):
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                raise ConfigError(f"{PREFIX}COUNT_{name.upper()}={value!r} is not a whole number >= {low}; "
                                  f"the default is {getattr(CountSettings, name)}")

    @property
    def workers(self) -> int:
        return self.jobs or len(os.sched_getaffinity(0))

    @property
    def version(self) -> str:
        """What a count depends on besides the code: part of the count benchmarks' asv version."""
        cycles = "-cycles" if self.cycles else ""
        return f"n{self.requests}-w{self.warmup}-c{levels_text(self.connections)}{cycles}"

    def describe(self) -> str:
        return (f"{self.requests:,} counted requests after {self.warmup:,} per workload at "
                f"{' and '.join(map(str, self.connections))} connections"
                + (", caches simulated" if self.cycles else "") + f"; {self.workers} pair(s) at once")


def counting_from_environ(environ: Mapping[str, str] | None = None) -> CountSettings:
    """The count settings STACKBENCH_COUNT_* (and STACKBENCH_CONNECTIONS) ask for."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {"connections": from_environ(environ).connections}
    for name in ("requests", "warmup", "jobs", "cycles"):
        raw = environ.get(f"{PREFIX}COUNT_{name.upper()}", "").strip()
        if not raw:
            continue
        if name == "cycles":
            if raw not in ("0", "1"):
                raise ConfigError(f"{PREFIX}COUNT_CYCLES={raw!r}: give 1 (simulate caches) or 0")
            values[name] = raw == "1"
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise ConfigError(f"{PREFIX}COUNT_{name.upper()}={raw!r} is not a whole number; "
                              f"the default is {getattr(CountSettings, name)}") from None
    return CountSettings(**values)  # type: ignore[arg-type]


def levels_text(value: int | Sequence[int]) -> str:
    """A setting as STACKBENCH_* takes it: ``1,32`` for levels (records before two
    concurrencies hold a single number), the number itself otherwise."""
    return str(value) if isinstance(value, int) else ",".join(map(str, value))


def as_dict(settings: Settings | CountSettings) -> dict[str, float | list[int]]:
    return {f.name: (list(v) if isinstance(v := getattr(settings, f.name), tuple) else v)
            for f in fields(settings)}
