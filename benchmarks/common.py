"""What every class of the suite shares: one setup_cache, and how a track reads it.

`setup_cache` runs once per environment and commit (once per round when asv
interleaves rounds) and measures every cell asv will ask for, interleaved
(stackbench/asv/cache.py). The track methods only hand asv that round's
samples, so the load runs once, not once per metric.
"""

from stackbench import registry
from stackbench.asv import cache
from stackbench.asv.rounds import Handout, export_rounds, round_for
from stackbench.errors import PairFailed
from stackbench.serve.lifeline import tie_forkserver_to_asv
from stackbench.session.runner import Key
from stackbench.settings import from_environ

# Read at import, so that a bad STACKBENCH_* value stops asv at discovery,
# before any environment is built, with a message saying what to fix.
SETTINGS = from_environ()

# Track benchmarks' `rounds` reach asv only with this (stackbench/asv/rounds.py).
export_rounds()
# asv's forkserver imports the suite; it must not outlive asv (stackbench/serve/lifeline.py).
tie_forkserver_to_asv()


def samples(values):
    """What a track method returns: asv stores median, interval and quartiles of these."""
    return {"samples": values, "number": [1] * len(values)}


def read(handout: Handout, benchmark: str):
    """The round this read of `benchmark` gets (the n-th read of it gets round n)."""
    return round_for(handout, benchmark)


class Suite:
    """Base of the suite's classes: the shared setup_cache and asv settings."""

    params: list = []

    # How many rounds asv runs; `asv continuous` interleaves them between commits.
    rounds = SETTINGS.rounds
    # The track_* methods only read what setup_cache measured.
    timeout = 60

    def setup_cache(self) -> Handout:
        return cache.measure(SETTINGS, benchmark_names)

    # asv.conf.json asks for the forkserver, which imports the suite once and
    # forks a process per benchmark and parameter combination (spawning one
    # interpreter for each cost ~0.2 s, 9 minutes for the whole grid). Under it
    # asv's timeout is the total time, so it bounds the whole session.
    setup_cache.timeout = SETTINGS.longest_session(len(registry.pairs()))


def benchmark_names(key: Key) -> list[str]:
    """The names asv gives the benchmarks of one cell, as `-b` patterns are matched against.

    ``bench_pairs.Asgi.track_seconds_per_request('uvicorn', 'raw', 'plaintext', 32)``
    """
    params = ", ".join(repr(p) for p in (key.server, key.framework, key.scenario, key.connections))
    names = []
    for cls in _subclasses(Suite):
        if getattr(cls, "interface", None) == key.interface and cls.params:
            module = cls.__module__.split(".", 1)[-1]  # asv drops the suite's package name
            names += [f"{module}.{cls.__name__}.{m}({params})" for m in dir(cls) if m.startswith("track_")]
    return names


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


__all__ = ["PairFailed", "SETTINGS", "Suite", "read", "samples"]
