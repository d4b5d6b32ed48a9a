"""The calibration switch: a known slowdown, to check what the suite can detect.

`calibration.toml` at the top of the repository is part of what a commit
measures (the harness reads it from the measured commit's checkout, like the
stack files), so one commit can turn it on and its parent leave it off. When
on, every app of one framework runs a loop of a fixed number of iterations
in each request handler, before answering (apps/calibration.py):

    framework = "starlette"          # "" (the default) turns it off
    interface = "asgi"               # optional: only this interface's app
    extra_iterations = 20000         # loop iterations added to every request

Fixed work, not a spin for time: it adds the same instructions to every
request, so counts under Callgrind see exactly it, and about the same time
on a given machine (a pair's time per request grows by that much with one
worker saturated). `tools/sensitivity.py` uses it to measure the smallest
slowdown the suite detects. The apps read the iterations from
`ITERATIONS_VARIABLE`, which the harness sets only for the calibrated
framework's pairs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .registry import Pair

FILE = "calibration.toml"
ITERATIONS_VARIABLE = "STACKBENCH_EXTRA_ITERATIONS"


@dataclass(frozen=True)
class Calibration:
    framework: str = ""
    interface: str = ""
    extra_iterations: int = 0

    @property
    def on(self) -> bool:
        return bool(self.framework) and self.extra_iterations > 0

    def applies_to(self, pair: Pair) -> bool:
        return self.on and pair.app.framework == self.framework and self.interface in ("", pair.app.interface)

    def environ_for(self, pair: Pair) -> dict[str, str]:
        """What the server of `pair` is started with: the work, if it applies."""
        return {ITERATIONS_VARIABLE: str(self.extra_iterations)} if self.applies_to(pair) else {}

    def __str__(self) -> str:
        where = f"{self.framework} ({self.interface})" if self.interface else self.framework
        return f"{self.extra_iterations:,} loop iterations of fixed work per request in {where}'s apps"

    def as_dict(self) -> dict[str, Any] | None:
        return asdict(self) if self.on else None


OFF = Calibration()


def load(checkout: Path | None) -> Calibration:
    """The switch as `checkout` (a commit's files) sets it; off without the file."""
    if checkout is None:
        return OFF
    path = checkout / FILE
    if not path.is_file():
        return OFF
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error}); see stackbench/calibration.py") from None
    if "extra_cpu_microseconds" in data:
        raise ConfigError(f"{path}: extra_cpu_microseconds (a spin for time) is no longer read: give "
                          "extra_iterations, a fixed amount of work (stackbench/calibration.py)")
    unknown = set(data) - {"framework", "interface", "extra_iterations"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)}; allowed: framework, interface, "
                          "extra_iterations")
    iterations = data.get("extra_iterations", 0)
    if not isinstance(iterations, int) or isinstance(iterations, bool):
        raise ConfigError(f"{path}: extra_iterations must be a whole number")
    if iterations < 0:
        raise ConfigError(f"{path}: extra_iterations must be >= 0")
    return Calibration(str(data.get("framework", "")), str(data.get("interface", "")), iterations)


def write(checkout: Path, calibration: Calibration) -> Path:
    """Set the switch in a checkout (for tools/sensitivity.py's B commit)."""
    path = checkout / FILE
    lines = [
        "# The calibration switch (stackbench/calibration.py). framework = \"\" turns it off.",
        f"framework = {calibration.framework!r}".replace("'", '"'),
        f"interface = {calibration.interface!r}".replace("'", '"'),
        f"extra_iterations = {calibration.extra_iterations}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def seconds_per_iteration(repeats: int = 5, iterations: int = 200_000) -> float:
    """Wall seconds one iteration of the switch's loop takes here (the fastest of `repeats`).

    For a switch set by time (the wall-clock A/B): the apps run with the
    same CPython build as this interpreter.
    """
    from apps.calibration import fixed_work

    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fixed_work(iterations)
        best = min(best, time.perf_counter() - started)
    return best / iterations


def instructions_per_iteration(python: str = sys.executable, iterations: int = 200_000) -> float:
    """Instructions one iteration of the switch's loop executes, counted under Callgrind.

    For a switch set by counts (the counting A/B): the difference of two
    whole-interpreter counts, with and without the loop, over `iterations`.
    """
    from . import ROOT
    from .measure.counting import Toolchain, event_totals

    toolchain = Toolchain.find()
    totals = []
    with tempfile.TemporaryDirectory(prefix="stackbench-calibration-") as folder:
        for count in (0, iterations):
            out = Path(folder) / f"callgrind.{count}"
            subprocess.run([toolchain.valgrind, "--tool=callgrind", f"--callgrind-out-file={out}", "--log-file=/dev/null",
                            python, "-c", f"from apps.calibration import fixed_work; fixed_work({count})"],
                           cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": "0"}, check=True)
            totals.append(event_totals(out)["Ir"])
    return (totals[1] - totals[0]) / iterations
