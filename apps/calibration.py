"""The calibration switch's hook: a fixed CPU cost per request, or nothing.

The harness sets STACKBENCH_EXTRA_CPU_MICROSECONDS only for the framework a
commit's calibration.toml names (stackbench/calibration.py); every handler
calls `extra_cost()` first, which otherwise does nothing.
"""

import os
import time

_SECONDS = float(os.environ.get("STACKBENCH_EXTRA_CPU_MICROSECONDS") or 0) / 1e6


def _burn() -> None:
    end = time.perf_counter() + _SECONDS
    while time.perf_counter() < end:
        pass


def _nothing() -> None:
    pass


extra_cost = _burn if _SECONDS > 0 else _nothing
