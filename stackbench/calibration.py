"""The calibration switch: a known slowdown, to check what the suite can detect.

`calibration.toml` at the top of the repository is part of what a commit
measures (the harness reads it from the measured commit's checkout, like the
stack files), so one commit can turn it on and its parent leave it off. When
on, every app of one framework burns a fixed amount of CPU time in each
request handler, before answering:

    framework = "starlette"          # "" (the default) turns it off
    interface = "asgi"               # optional: only this interface's app
    extra_cpu_microseconds = 8.0     # busy time added to every request

With one worker saturated, the time a server spends per request grows by
exactly that much, so a pair at 80 µs per request gets 10% slower.
`tools/sensitivity.py` uses it to measure the smallest slowdown the suite
detects on a machine. The apps read the cost from `SPIN_VARIABLE`, which the
harness sets only for the calibrated framework's pairs.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .registry import Pair

FILE = "calibration.toml"
SPIN_VARIABLE = "STACKBENCH_EXTRA_CPU_MICROSECONDS"


@dataclass(frozen=True)
class Calibration:
    framework: str = ""
    interface: str = ""
    extra_cpu_microseconds: float = 0.0

    @property
    def on(self) -> bool:
        return bool(self.framework) and self.extra_cpu_microseconds > 0

    def applies_to(self, pair: Pair) -> bool:
        return self.on and pair.app.framework == self.framework and self.interface in ("", pair.app.interface)

    def environ_for(self, pair: Pair) -> dict[str, str]:
        """What the server of `pair` is started with: the cost, if it applies."""
        return {SPIN_VARIABLE: repr(self.extra_cpu_microseconds)} if self.applies_to(pair) else {}

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
    unknown = set(data) - {"framework", "interface", "extra_cpu_microseconds"}
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)}; allowed: framework, interface, "
                          "extra_cpu_microseconds")
    try:
        calibration = Calibration(str(data.get("framework", "")), str(data.get("interface", "")),
                                  float(data.get("extra_cpu_microseconds", 0.0)))
    except (TypeError, ValueError):
        raise ConfigError(f"{path}: extra_cpu_microseconds must be a number") from None
    if calibration.extra_cpu_microseconds < 0:
        raise ConfigError(f"{path}: extra_cpu_microseconds must be >= 0")
    return calibration


def write(checkout: Path, calibration: Calibration) -> Path:
    """Set the switch in a checkout (for tools/sensitivity.py's B commit)."""
    path = checkout / FILE
    lines = [
        "# The calibration switch (stackbench/calibration.py). framework = \"\" turns it off.",
        f"framework = {calibration.framework!r}".replace("'", '"'),
        f"interface = {calibration.interface!r}".replace("'", '"'),
        f"extra_cpu_microseconds = {calibration.extra_cpu_microseconds!r}",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path
