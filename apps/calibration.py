"""The calibration switch's hook: a fixed amount of work per request, or nothing.

The harness sets STACKBENCH_EXTRA_ITERATIONS only for the framework a
commit's calibration.toml names (stackbench/calibration.py); every handler
calls `extra_cost()` first, which otherwise does nothing.

The work is a loop of a fixed number of iterations, never a spin until a
deadline: the same loop executes the same instructions on every request,
so it shows in exact counts as exactly itself, and costs about the same
time on a given machine. A spin for time would count differently in every
run under valgrind, which runs 20-50x slower.
"""

import os

ITERATIONS = int(os.environ.get("STACKBENCH_EXTRA_ITERATIONS") or 0)


def fixed_work(iterations: int = ITERATIONS) -> int:
    total = 0
    for number in range(iterations):
        total += number
    return total


def _nothing() -> None:
    pass


extra_cost = fixed_work if ITERATIONS > 0 else _nothing
