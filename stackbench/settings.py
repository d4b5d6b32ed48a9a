"""How long and how hard to measure: profiles and environment variables.

Defaults fit a 2-core machine: the server gets one core, wrk (one thread) the
other. A profile sets everything at once; single variables override it:

    STACKBENCH_PROFILE      quick | default | full          (default: default)
    STACKBENCH_CONNECTIONS  wrk connections kept open       (default 32)
    STACKBENCH_DURATION     seconds per repeat              (default 3)
    STACKBENCH_REPEATS      wrk runs recorded per scenario  (default 7)
    STACKBENCH_WARMUP       seconds of unrecorded load first (default 2)

The profiles keep the same concurrency, so a quick run measures the same thing
as a full one, only with fewer and shorter samples. Seven repeats is the fewest
with which `asv compare` reliably flags a 20% change (see docs/asv-notes.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .errors import ConfigError

PREFIX = "STACKBENCH_"


@dataclass(frozen=True)
class Settings:
    connections: int = 32
    duration: int = 3  # seconds; wrk only takes whole seconds
    repeats: int = 7
    warmup: int = 2  # seconds; 0 skips the warm-up
    # A request slower than this is a wrk timeout error, which fails the pair.
    request_timeout: int = 5
    # How long a server may take to answer its first request.
    startup_timeout: float = 30.0
    # How long a server may take to exit after its stop signal, before SIGKILL.
    stop_grace: float = 10.0

    def __post_init__(self) -> None:
        minimum = {"connections": 1, "duration": 1, "repeats": 2, "warmup": 0}
        for name, low in minimum.items():
            value = getattr(self, name)
            if not isinstance(value, int) or value < low:
                raise ConfigError(
                    f"{PREFIX}{name.upper()}={value!r} is not a whole number >= {low}; "
                    f"the default is {getattr(PROFILES['default'], name)}"
                )

    @property
    def seconds_per_scenario(self) -> int:
        """Load time of one scenario (warm-up plus repeats), for estimates."""
        return self.warmup + self.repeats * self.duration

    @property
    def longest_silence(self) -> float:
        """An upper bound, in seconds, on any single step of a run.

        Starting a server, one wrk run (bounded by its own timeout) and
        stopping a server each finish or fail within it; asv's inactivity
        timeout for the whole measurement is set from it.
        """
        wrk_run = max(self.duration, self.warmup) + self.request_timeout + 30
        return self.startup_timeout + self.stop_grace + 2 * wrk_run + 60

    def describe(self) -> str:
        return (
            f"{self.connections} connections, {self.repeats} x {self.duration} s "
            f"after {self.warmup} s warm-up"
        )


PROFILES: dict[str, Settings] = {
    # Smoke runs: enough to see that everything works, too few samples to compare.
    "quick": Settings(duration=1, repeats=3, warmup=1),
    "default": Settings(),
    # Longer runs for figures you mean to publish.
    "full": Settings(duration=10, repeats=10, warmup=5),
}

OVERRIDABLE = ("connections", "duration", "repeats", "warmup")


def from_environ(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings the environment asks for, with a clear error for bad values."""
    environ = os.environ if environ is None else environ
    profile = environ.get(f"{PREFIX}PROFILE", "default")
    if profile not in PROFILES:
        raise ConfigError(
            f"{PREFIX}PROFILE={profile!r} is not a profile; choose one of "
            f"{', '.join(PROFILES)}"
        )
    overrides: dict[str, int] = {}
    for name in OVERRIDABLE:
        raw = environ.get(f"{PREFIX}{name.upper()}")
        if raw is None or raw == "":
            continue
        try:
            overrides[name] = int(raw)
        except ValueError:
            raise ConfigError(
                f"{PREFIX}{name.upper()}={raw!r} is not a whole number; "
                f"unset it or give e.g. {getattr(PROFILES[profile], name)}"
            ) from None
    return replace(PROFILES[profile], **overrides)
