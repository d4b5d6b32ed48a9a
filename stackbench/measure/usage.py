"""What a server's process tree spent (CPU seconds, peak memory); how busy CPUs were.

Servers are often more than one process (hypercorn runs three with one
worker; gunicorn an arbiter and a worker), so both figures cover the whole
tree under the process we started. `busy_share` reads /proc/stat: how much
of some CPUs' time went to anything at all (wrk, or a neighbour starving it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds (user + system) of each live process, keyed by identity."""

    seconds: dict[tuple[int, float], float]

    def since(self, earlier: CpuSnapshot) -> float:
        """CPU seconds spent between two snapshots by processes alive at the second.

        A process that started in between counts from zero; one that ended in
        between is lost, which for a server under load means it crashed.
        """
        return sum(now - earlier.seconds.get(key, 0.0) for key, now in self.seconds.items())


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that are still running."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def cpu_snapshot(pid: int) -> CpuSnapshot:
    seconds = {}
    for process in tree(pid):
        try:
            with process.oneshot():
                times = process.cpu_times()
                seconds[(process.pid, process.create_time())] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return CpuSnapshot(seconds)


def peak_rss(pid: int) -> int:
    """Sum over the tree of each process's peak resident set (VmHWM), in bytes.

    The kernel keeps each process's high-water mark, so no sampling can miss
    the peak; the sum is an upper bound of the tree's joint peak.
    """
    total = 0
    for process in tree(pid):
        try:
            status = Path(f"/proc/{process.pid}/status").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) * 1024  # reported in kB
    return total


@dataclass(frozen=True)
class CpuClock:
    """Busy and total time of some CPUs, in the kernel's ticks (/proc/stat)."""

    busy: int
    total: int

    def share_since(self, earlier: CpuClock) -> float:
        """The share of the time between two readings these CPUs were busy."""
        total = self.total - earlier.total
        return (self.busy - earlier.busy) / total if total > 0 else 0.0


def cpu_clock(cpus: set[int] | frozenset[int]) -> CpuClock:
    """Busy and total ticks of `cpus` so far. Idle and iowait are idle; steal
    (the hypervisor took the CPU) counts as busy: the CPU was not ours."""
    busy = total = 0
    for line in Path("/proc/stat").read_text().splitlines():
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu" or int(name[3:]) not in cpus:
            continue
        user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
        spent = user + nice + system + irq + softirq + steal
        busy += spent
        total += spent + idle + iowait
    return CpuClock(busy, total)


def settle(cpus: set[int] | frozenset[int], *, busy_below: float = 0.3, quiet_for: float = 1.0,
           timeout: float = 30.0) -> tuple[float, bool]:
    """Wait until `cpus` have been less than `busy_below` busy for `quiet_for` seconds.

    Right after asv installs an environment the kernel is still writing it
    out, and that work lands on any CPU, wrk's included: runs then are
    refused as client-bound. Waiting for quiet costs seconds once per
    session. Returns the seconds waited and whether the CPUs went quiet
    (after `timeout` the session goes on; the client-bound guard still holds).
    """
    started = time.monotonic()
    while True:
        before = cpu_clock(cpus)
        time.sleep(quiet_for)
        if cpu_clock(cpus).share_since(before) < busy_below:
            return time.monotonic() - started, True
        if time.monotonic() - started > timeout:
            return time.monotonic() - started, False
