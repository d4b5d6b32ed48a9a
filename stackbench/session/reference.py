"""References: what is measured beside the pairs to tell the machine's speed.

Machines of one kind differ by 2x and drift by 10-30% within hours. A figure
divided by a reference measured on the same machine at (nearly) the same
time cancels much of that. Three candidates are measured in every session,
interleaved with the pairs, so the choice can be checked against data
(docs/noise.md); `NORMALIZER` is the one the normalized metric divides by.

- ``nginx``: Debian's nginx, one worker, answering the plaintext scenario. It
  is so fast that wrk saturates its own core against it, so its figure is
  the load generator's ceiling: what the client-bound guard is about.
- ``uvicorn-frozen``: uvicorn + raw ASGI with versions that never change
  (`FROZEN_PINS`, from the 2024-11-23 stack) and a frozen copy of the app
  (`reference_app.py`), in a virtualenv of its own: a Python server that
  should scale with the machine the way the measured ones do.
- ``cpu-loop``: a fixed CPU-bound Python loop (`cpu_loop.py`) on the server's
  CPU, with the frozen environment's Python.
"""

from __future__ import annotations

import bisect
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .. import ROOT, stacks
from ..errors import ConfigError
from ..registry import App, Pair, Server
from ..serve.lifeline import tied_child

# The frozen reference's packages: uvicorn and what it needs for uvloop and
# httptools, as pinned by stacks/2024-11-23.txt. Never change them: a new
# reference makes every normalized figure before it incomparable.
FROZEN_PINS = """\
click==8.1.7
h11==0.14.0
httptools==0.6.4
uvicorn==0.32.1
uvloop==0.21.0
"""

Kind = Literal["server", "loop"]


@dataclass(frozen=True)
class Reference:
    name: str
    kind: Kind
    describe: str
    pair: Pair | None = None  # for kind "server"
    frozen: bool = False  # runs with the frozen environment's Python


NGINX = Reference(
    "nginx",
    "server",
    "nginx (Debian), 1 worker: the load generator's ceiling",
    Pair(
        Server(
            "nginx",
            "http",
            requires=(),
            command=("{python}", "-m", "stackbench.serve.launchers.nginx", "{host}", "{port}"),
            stop_signal=signal.SIGQUIT,
        ),
        App("static", "http", module="stackbench.serve.launchers.nginx"),
    ),
)
UVICORN_FROZEN = Reference(
    "uvicorn-frozen",
    "server",
    "uvicorn 0.32.1 + raw ASGI in an environment that never changes",
    Pair(
        Server(
            "uvicorn-frozen",
            "asgi",
            requires=(),
            command=(
                "{python}", "-m", "uvicorn", "{target}", "--host", "{host}", "--port", "{port}",
                "--workers", "1", "--loop", "uvloop", "--http", "httptools",
                "--log-level", "warning", "--no-access-log",
            ),
            stop_signal=signal.SIGINT,
        ),
        App("raw", "asgi", module="stackbench.session.reference_app"),
    ),
    frozen=True,
)
CPU_LOOP = Reference("cpu-loop", "loop", "a fixed CPU-bound Python loop, frozen interpreter", frozen=True)

REFERENCES: tuple[Reference, ...] = (NGINX, UVICORN_FROZEN, CPU_LOOP)
# What the normalized metric divides by (docs/noise.md says why this one).
NORMALIZER = UVICORN_FROZEN.name


def find(name: str) -> Reference:
    for reference in REFERENCES:
        if reference.name == name:
            return reference
    raise ConfigError(f"no reference named {name!r}; known: {', '.join(r.name for r in REFERENCES)}")


@dataclass(frozen=True)
class Reading:
    """One measurement of one reference: seconds per request (or per loop iteration)."""

    reference: str
    at: float  # seconds since the epoch
    seconds: float
    client_busy: float | None = None  # wrk's CPU share, for server references


class Series:
    """A reference's readings over a session, read at any moment by interpolation."""

    def __init__(self, readings: Sequence[Reading]):
        self.readings = sorted(readings, key=lambda r: r.at)
        self._times = [r.at for r in self.readings]

    def __bool__(self) -> bool:
        return bool(self.readings)

    def at(self, moment: float) -> float:
        """Linear between the readings either side; the nearest one outside them."""
        if not self.readings:
            raise ValueError("no readings")
        index = bisect.bisect_left(self._times, moment)
        if index == 0:
            return self.readings[0].seconds
        if index == len(self.readings):
            return self.readings[-1].seconds
        before, after = self.readings[index - 1], self.readings[index]
        if after.at == before.at:
            return (before.seconds + after.seconds) / 2
        weight = (moment - before.at) / (after.at - before.at)
        return before.seconds + weight * (after.seconds - before.seconds)


# -- the frozen environment ---------------------------------------------------

def frozen_python(root: Path = ROOT) -> str:
    """The frozen environment's Python, built on first use (uv, a few seconds).

    Built outside asv's matrix so that no stack change ever touches it.
    """
    return stacks.pinned_environment(root / ".asv" / "reference", "uvicorn-frozen", FROZEN_PINS, harness=False,
                                     root=root)


# -- the CPU loop ---------------------------------------------------------------

def run_cpu_loop(python: str, cpus: set[int] | None) -> float:
    """Seconds per iteration of `cpu_loop.py`, run with `python` on `cpus`."""

    done = subprocess.run([python, str(Path(__file__).with_name("cpu_loop.py"))], capture_output=True,
                          text=True, timeout=120, preexec_fn=tied_child(cpus))
    if done.returncode != 0:
        raise ConfigError(f"the CPU loop reference failed:\n{done.stdout}{done.stderr}")
    return float(done.stdout.strip())
