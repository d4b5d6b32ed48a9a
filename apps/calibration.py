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
from itertools import repeat

ITERATIONS = int(os.environ.get("STACKBENCH_EXTRA_ITERATIONS") or 0)


def fixed_work(iterations: int = ITERATIONS) -> int:
    # Every iteration alike: `repeat` allocates nothing and `total` stays a
    # cached small int. (A sum over range() allocated an int per iteration
    # once past 256, so 24 iterations cost ~250 instructions each and 200,000
    # ~480: the A/B switch added half the work it was set to.)
    total = 0
    for _ in repeat(None, iterations):
        total ^= 1
    return total


def _nothing() -> None:
    pass


extra_cost = fixed_work if ITERATIONS > 0 else _nothing
