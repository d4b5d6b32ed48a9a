"""One launch under Callgrind: what each request costs, counted, not timed.

Wall-clock figures move ~7% between sessions and up to 2x between machines
of one kind; instruction counts do not depend on the machine's speed or its
neighbours. So a pair is also measured this way (docs/counting.md):

1. start the server under ``valgrind --tool=callgrind --instr-atstart=no
   --trace-children=yes --trace-syscalls=yes``: every process it starts or
   forks (gunicorn's and uwsgi's workers, hypercorn's spawned one, granian's
   exec'd one) runs under Callgrind too, with counting off;
2. for each workload (a scenario at a concurrency), in a fixed order: verify
   the contract; `warmup` uncounted requests; switch counting on in every
   process of the server (``vgdb --pid=P instrumentation on``); exactly
   `requests` requests from the fixed-count client (every response checked);
   dump each process's counts and switch counting off again;
3. per request: the instructions (Ir) of all processes summed, divided by the
   requests; with ``cycles`` the cache simulation's misses too, combined into
   estimated cycles as KCachegrind and iai do; and the system calls the
   server made in the window, from valgrind's own syscall trace (vDSO calls,
   which are real syscalls only under valgrind, left out).

PYTHONHASHSEED is fixed (set iteration order moves counts by ~0.1%); the
garbage collector stays on, as users run it. Counts depend on the number of
requests and connections (set-up and the event loop's clock ticks are spread
over them), so they compare only at equal `CountSettings`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, ServerError
from ..registry import Pair
from ..serve.contract import SCENARIOS, verify
from ..serve.server import HOST, RunningServer, serve
from ..settings import CountSettings
from . import fixed_count
from .wallclock import Workload

# vDSO calls: a function call natively, a real system call only under valgrind.
VDSO_CALLS = frozenset({"clock_gettime", "gettimeofday", "time", "getcpu"})
_SYSCALL_LINE = re.compile(rb"SYSCALL\[\d+,\d+\]\(\s*\d+\) sys_(\w+)")
# Cycles estimated from the cache simulation's events, as KCachegrind does.
L1_MISS, LL_MISS = ("I1mr", "D1mr", "D1mw"), ("ILmr", "DLmr", "DLmw")
INSTALL = "apt-get install valgrind (tools/bootstrap.sh does)"


@dataclass(frozen=True)
class Toolchain:
    """valgrind and vgdb, found once; their version goes with every count."""

    valgrind: str
    vgdb: str
    version: str  # "3.19.0"

    @classmethod
    def find(cls) -> Toolchain:
        valgrind, vgdb = shutil.which("valgrind"), shutil.which("vgdb")
        if not valgrind or not vgdb:
            raise ConfigError(f"counting needs valgrind and vgdb, which are not on PATH: {INSTALL}")
        out = subprocess.run([valgrind, "--version"], capture_output=True, text=True, check=False).stdout
        return cls(valgrind, vgdb, out.strip().removeprefix("valgrind-"))


def workloads(settings: CountSettings) -> list[Workload]:
    """Always in this order: a workload's counts may depend on what the server did before."""
    return [Workload(s, c) for s in SCENARIOS for c in settings.connections]


@dataclass(frozen=True)
class ProcessCount:
    """One process's counts over the window."""

    pid: int
    events: dict[str, int]  # Callgrind's event totals: Ir, and with caches simulated I1mr, ...
    syscalls: dict[str, int]  # by name, vDSO calls left out


# A process that made none of these during the counted requests served none of them.
ACCEPTS = ("accept", "accept4")


@dataclass(frozen=True)
class WorkloadCount:
    """What one workload cost the server's serving processes, per request.

    Every process of the server is counted and kept (`processes`); the
    per-request figures sum those that accepted a connection during the
    counted requests (`serving`). A supervisor that forks the workers and
    accepts nothing (gunicorn's arbiter, uwsgi's master, granian's main
    process) does work that follows wall-clock time, not requests: measured
    here, gunicorn 27's arbiter executed from 0.18 M to 48 M instructions over
    identical 200-request workloads while its worker's count stayed within
    0.1%, so summed in it would make counts depend on the machine's speed and
    load. Its count stays in the record (`supervisor_instructions`).
    """

    scenario: str
    connections: int
    requests: int
    connects: int  # TCP connections the client opened (servers that close them cost set-ups)
    seconds: float  # the counted window's wall time, under valgrind
    processes: tuple[ProcessCount, ...]

    @property
    def serving(self) -> tuple[ProcessCount, ...]:
        """The processes that accepted a connection; all of them if none did (one process accepting
        in a way not seen as a system call)."""
        accepted = tuple(p for p in self.processes if any(p.syscalls.get(name) for name in ACCEPTS))
        return accepted or self.processes

    @property
    def supervisor_instructions(self) -> int:
        """Instructions of the processes left out of the per-request figures, in the whole window."""
        serving = {p.pid for p in self.serving}
        return sum(p.events.get("Ir", 0) for p in self.processes if p.pid not in serving)

    def total(self, event: str) -> int:
        return sum(p.events.get(event, 0) for p in self.serving)

    @property
    def instructions(self) -> float:
        return self.total("Ir") / self.requests

    @property
    def estimated_cycles(self) -> float | None:
        """Ir + 10 x L1 misses + 100 x last-level misses, per request (None: caches not simulated)."""
        if not all(self.total(e) or any(e in p.events for p in self.serving) for e in L1_MISS + LL_MISS):
            return None
        cycles = self.total("Ir") + 10 * sum(map(self.total, L1_MISS)) + 100 * sum(map(self.total, LL_MISS))
        return cycles / self.requests

    @property
    def syscalls(self) -> float:
        return sum(sum(p.syscalls.values()) for p in self.serving) / self.requests

    def syscalls_by_name(self) -> dict[str, float]:
        names: dict[str, int] = {}
        for process in self.serving:
            for name, n in process.syscalls.items():
                names[name] = names.get(name, 0) + n
        return {name: n / self.requests for name, n in sorted(names.items(), key=lambda i: -i[1])}


@dataclass(frozen=True)
class Counted:
    """A clean counted launch: every workload, in order."""

    workloads: tuple[WorkloadCount, ...]
    startup_seconds: float  # until the first answer, under valgrind
    seconds: float  # the whole launch, start to stop


# The server under valgrind yields the CPU to the client. A server's work per
# request depends a little on whether the next request is already waiting
# when it looks: uvicorn at one connection polls once a request when the
# client keeps ahead, twice when it does not (5% more instructions, measured
# with five valgrinds on two cores). Niced, the counted server never starves
# the client, so a busy machine counts as a quiet one does.
NICE = ("nice", "-n", "10")


def wrapper(toolchain: Toolchain, out: Path, *, cycles: bool) -> list[str]:
    """The valgrind command a counted server runs under; its files go to `out`."""
    return [
        *NICE,
        toolchain.valgrind, "--tool=callgrind", "--instr-atstart=no", "--trace-children=yes",
        "--trace-syscalls=yes", f"--callgrind-out-file={out}/callgrind.%p",
        f"--log-file={out}/valgrind.%p.log", *(["--cache-sim=yes"] if cycles else []),
    ]


def count(pair: Pair, *, python: str, workdir: Path, settings: CountSettings,
          toolchain: Toolchain | None = None, environ: Mapping[str, str] | None = None,
          launched: Callable[[RunningServer], None] = lambda server: None) -> Counted:
    """Count what `pair` spends per request under each workload; raises on any error.

    `environ` adds to the server's environment (the calibration switch);
    `launched` is told the server as soon as its process exists (so that a caller can end it from
    another thread, also while valgrind starts it).
    """
    toolchain = toolchain or Toolchain.find()
    # A folder of its own: one pair may be counted in several environments at once (culprit).
    workdir.mkdir(parents=True, exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix=f"counts-{pair.server.name}-{pair.app.framework}-{pair.app.interface}-",
                                dir=workdir))
    began = time.monotonic()
    with serve(pair, python=python, workdir=workdir, environ={**(environ or {}), "PYTHONHASHSEED": "0"},
               wrapper=wrapper(toolchain, out, cycles=settings.cycles),
               startup_timeout=settings.startup_timeout, stop_grace=settings.stop_grace,
               launched=launched) as server:
        ready = time.monotonic() - began
        counts = tuple(_count_workload(server, w, settings, toolchain, out) for w in workloads(settings))
    shutil.rmtree(out, ignore_errors=True)  # the dumps are summed; valgrind's logs hold nothing more
    return Counted(counts, ready, time.monotonic() - began)


def _count_workload(server: RunningServer, workload: Workload, settings: CountSettings,
                    toolchain: Toolchain, out: Path) -> WorkloadCount:
    label = f"{server.pair.label} ({workload.name}, counted)"
    verify(HOST, server.port, workload.scenario, label=label)
    if settings.warmup:
        fixed_count.send(HOST, server.port, workload.scenario, requests=settings.warmup,
                         connections=workload.connections, label=label)
    pids = sorted(p.pid for p in server.processes())
    dumps_before = {pid: _dumps(out, pid) for pid in pids}
    _monitor(toolchain, pids, "instrumentation on", label)
    logs_at = {pid: _size(out / f"valgrind.{pid}.log") for pid in pids}
    load = fixed_count.send(HOST, server.port, workload.scenario, requests=settings.requests,
                            connections=workload.connections, label=label)
    logs_end = {pid: _size(out / f"valgrind.{pid}.log") for pid in pids}
    _monitor(toolchain, pids, "dump", label)
    _monitor(toolchain, pids, "instrumentation off", label)
    now = sorted(p.pid for p in server.processes())
    if now != pids:
        raise ServerError(f"{label}: the server's processes changed while counting ({pids} -> {now}): "
                          "a process that started in the window was not counted, so no count is recorded")
    processes = tuple(
        ProcessCount(pid, _new_dump(out, pid, dumps_before[pid], label),
                     _syscalls(out / f"valgrind.{pid}.log", logs_at[pid], logs_end[pid]))
        for pid in pids
    )
    return WorkloadCount(workload.scenario.name, workload.connections, load.requests, load.connects,
                         load.seconds, processes)


def _monitor(toolchain: Toolchain, pids: Sequence[int], command: str, label: str) -> None:
    """Send a Callgrind monitor command to every process at once (each vgdb call takes ~0.1 s)."""

    def one(pid: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run([toolchain.vgdb, f"--pid={pid}", *command.split()],
                              capture_output=True, text=True, timeout=60, check=False)

    with ThreadPoolExecutor(max_workers=max(1, len(pids))) as pool:
        answers = list(pool.map(one, pids))
    for pid, answer in zip(pids, answers):
        if answer.returncode != 0:
            said = (answer.stderr or answer.stdout).strip().splitlines()
            raise ServerError(f"{label}: valgrind's vgdb could not send {command!r} to process {pid}: "
                              f"{said[-1] if said else f'exit status {answer.returncode}'}")


def _dumps(out: Path, pid: int) -> set[Path]:
    return set(out.glob(f"callgrind.{pid}.*"))


def _new_dump(out: Path, pid: int, before: set[Path], label: str) -> dict[str, int]:
    """The event totals of the dump `vgdb dump` just wrote for `pid`."""
    deadline = time.monotonic() + 30
    while not (new := _dumps(out, pid) - before):
        if time.monotonic() > deadline:
            raise ServerError(f"{label}: Callgrind wrote no dump for process {pid} within 30 s")
        time.sleep(0.05)
    path = max(new, key=lambda p: int(p.name.rsplit(".", 1)[1]))
    return event_totals(path)


def event_totals(path: Path) -> dict[str, int]:
    """A Callgrind output file's totals, by event name (its ``events:`` and ``summary:`` lines)."""
    events: list[str] = []
    values: list[int] = []
    with path.open() as lines:
        for line in lines:
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                values = [int(v) for v in line.split()[1:]]
    if not events or not values:
        raise ServerError(f"{path}: not a complete Callgrind dump (no events: or summary: line)")
    return dict(zip(events, values + [0] * (len(events) - len(values))))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _syscalls(log: Path, start: int, end: int) -> dict[str, int]:
    """System calls valgrind logged between two offsets of a process's log, by name.

    Each call is logged when it starts (``SYSCALL[pid,tid](nr) sys_name(...)``);
    a blocking call's completion adds a line marked ``[async]``, not counted.
    """
    with log.open("rb") as source:
        source.seek(start)
        chunk = source.read(max(0, end - start))
    names: dict[str, int] = {}
    for line in chunk.splitlines():
        found = _SYSCALL_LINE.search(line)
        if found is None or b"[async]" in line[:found.start()]:
            continue
        name = found.group(1).decode()
        if name not in VDSO_CALLS:
            names[name] = names.get(name, 0) + 1
    return names
