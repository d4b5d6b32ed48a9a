"""Stop measuring when asv dies, however it dies (SIGTERM, SIGKILL, a crash).

The measurement runs in asv's `setup_cache` child. When asv itself goes away,
nothing tells that child: it would go on starting servers and loading the
machine alone. Two guards, because each misses a case:

- `PR_SET_PDEATHSIG`: the kernel sends us SIGTERM when our parent exits
  (which the runner turns into `Interrupted`, so `finally` blocks stop the
  server and wrk). Children started by `popen_args` get SIGKILL when *we*
  die, so a wrk run never outlives the harness either.
- `Lifeline.check()`, called between steps: the asv process may not be our
  direct parent (asv's forkserver launch method puts one in between), so the
  asv process found by `asv_invocation` is watched too. Steps last a few
  seconds, so the run stops within a few seconds of asv's death.

Linux only; elsewhere both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable

import psutil

from ..errors import Interrupted

_PR_SET_PDEATHSIG = 1


def _prctl_deathsig(signum: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """For `preexec_fn`: the child gets `signum` when the process that started it dies."""
    _prctl_deathsig(signum)


def tied_child(cpus: set[int] | None = None) -> Callable[[], None]:
    """A `preexec_fn` for a helper we start (wrk, the CPU loop): it dies with
    us (SIGKILL) and, when `cpus` is given, runs on those CPUs only."""

    def prepare() -> None:
        die_with_parent()
        if cpus:
            os.sched_setaffinity(0, cpus)

    return prepare


class Lifeline:
    """Ties this process to `watched` (asv): SIGTERM when the parent dies, checks in between."""

    def __init__(self, watched_pid: int = 0, watched_started: float = 0.0, *, tie_to_parent: bool = True):
        self.watched: psutil.Process | None = None
        if watched_pid:
            try:
                process = psutil.Process(watched_pid)
                if abs(process.create_time() - watched_started) < 1.0:
                    self.watched = process
            except psutil.NoSuchProcess:
                raise Interrupted(f"asv (pid {watched_pid}) ended before the measurement began") from None
        self.parent = psutil.Process().ppid()
        if tie_to_parent:
            _prctl_deathsig(signal.SIGTERM)
        self.check()  # the parent may have died before the prctl took effect

    def check(self) -> None:
        """Raise `Interrupted` if asv or our parent is gone."""
        if psutil.Process().ppid() != self.parent:
            raise Interrupted(f"the process that started the measurement (pid {self.parent}) is gone")
        if self.watched is not None and not _alive(self.watched):
            raise Interrupted(f"asv (pid {self.watched.pid}) is gone")


def _alive(process: psutil.Process) -> bool:
    """Running and not a zombie (a dead process its parent has not reaped yet)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def tie_forkserver_to_asv(poll_seconds: float = 1.0) -> bool:
    """In asv's forkserver, exit when asv is gone; whether this process is one.

    With `launch_method = "forkserver"` asv starts `benchmark.py run_server
    SUITE SOCKET`, which imports the suite and waits on its socket for asv's
    next benchmark. When asv is killed (SIGTERM from a CI time limit) it
    waits forever, one more idle process for every killed run. The suite
    calls this at import: a daemon thread watches the parent and ends the
    forkserver when it changes. (Not PR_SET_PDEATHSIG: that fires when the
    parent *thread* that started us ends, which need not be asv's end.) A
    benchmark child forked from the forkserver keeps only the forking thread,
    so the watch stays in the server.
    """
    if sys.argv[1:2] != ["run_server"]:
        return False
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(0)

    threading.Thread(target=watch, name="asv-lifeline", daemon=True).start()
    return True
