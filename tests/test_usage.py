"""How busy CPUs are, and waiting for them to go quiet before a session."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from stackbench.measure import usage


def _a_cpu() -> int:
    return max(os.sched_getaffinity(0))


def test_settle_returns_at_once_on_a_quiet_cpu():
    waited, quiet = usage.settle({_a_cpu()}, busy_below=0.5, quiet_for=0.5, timeout=10)
    assert quiet and waited < 10


def test_settle_gives_up_on_a_cpu_kept_busy_and_says_so():
    cpu = _a_cpu()
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"],
                               preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
    try:
        waited, quiet = usage.settle({cpu}, busy_below=0.5, quiet_for=0.5, timeout=2)
    finally:
        spinner.kill()
        spinner.wait()
    assert not quiet and waited >= 2


@pytest.mark.parametrize("cpus", [set(), {10_000}])
def test_a_clock_of_no_known_cpu_reads_zero(cpus):
    assert usage.cpu_clock(cpus).share_since(usage.cpu_clock(cpus)) == 0.0
