"""Start a server in its own process group, wait until it answers, stop it.

`serve` is the only way servers are started. Whatever happens inside the
``with`` block (an exception, a failed check, Ctrl-C) the server's whole
process group is stopped on the way out: the registry's graceful signal, a
bounded wait, then SIGKILL. A watchdog process covers the one case `finally`
cannot: the harness itself being killed.
"""

from __future__ import annotations

import errno
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import psutil

from .. import ROOT
from ..errors import ServerError
from ..measure import usage
from ..registry import Pair
from . import watchdog
from .contract import fetch

HOST = "127.0.0.1"


def _ephemeral_low(default: int = 32768) -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def free_port() -> int:
    """A port nothing uses now, below the kernel's ephemeral range.

    Not the kernel's pick for port 0: that comes from the ephemeral range,
    which every outgoing connection draws from too. With pairs counted side
    by side, a client opening hundreds of connections took the port between
    its pick and the server's bind ("already in use by another process").
    """
    low = _ephemeral_low()
    for _ in range(200):
        port = random.randrange(20000, low) if low > 20001 else 0
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError as error:
                if error.errno == errno.EADDRINUSE:
                    continue
                raise
            return probe.getsockname()[1]
    raise ServerError(f"no free port on {HOST} between 20000 and {low}")


def check_port_free(port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise ServerError(
                f"port {port} on {HOST} is already in use by another process; "
                "stop it, or let stackbench pick a free port"
            ) from None


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


class _Watchdog:
    """The harness's half of `stackbench.watchdog`."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, watchdog.__file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def guard(self, group: int) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{group}\n".encode())
        self.process.stdin.flush()

    def release(self) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(watchdog.RELEASE)
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        self.process.wait(timeout=10)


class RunningServer:
    """A server we started: its process group, port and log."""

    def __init__(self, pair: Pair, process: subprocess.Popen[bytes], port: int, log: Path):
        self.pair = pair
        self.process = process
        self.port = port
        self.log = log
        self.exit_status: int | None = None

    @property
    def pid(self) -> int:
        """Also the process group id: the server leads its own session."""
        return self.process.pid

    def url(self, path: str = "/") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def processes(self) -> list[psutil.Process]:
        return usage.tree(self.pid)

    def listening(self) -> bool:
        """Whether one of our processes holds the listening socket on our port.

        Without this, an answer could come from some other program on the port.
        """
        for process in self.processes():
            try:
                connections = process.net_connections(kind="tcp")
            except psutil.NoSuchProcess:
                continue
            if any(
                c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == self.port
                for c in connections
            ):
                return True
        return False

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            status = self.process.poll()
            if status is not None:
                raise ServerError(
                    f"{self.pair.label} exited with status {status} before answering "
                    f"on {HOST}:{self.port}. Last lines of {self.log}:\n{tail(self.log)}"
                )
            if self.listening():
                try:
                    fetch(HOST, self.port, "/", timeout=1.0)
                    return
                except (OSError, http.client.HTTPException):
                    pass
            if time.monotonic() > deadline:
                raise ServerError(
                    f"{self.pair.label} did not answer on {HOST}:{self.port} within "
                    f"{timeout:.0f} s. Last lines of {self.log}:\n{tail(self.log)}"
                )
            time.sleep(0.05)

    def stop(self, grace: float) -> None:
        """Graceful signal to the group, wait up to `grace` s, then SIGKILL.

        The leader is reaped only at the very end, so its id cannot have been
        reused by another group when the final SIGKILL goes out.
        """
        if self.exit_status is not None:
            return
        members = self.processes()
        self._signal_group(self.pair.server.stop_signal)
        if not _all_gone(members, grace):
            for process in members:
                try:
                    process.kill()
                except psutil.NoSuchProcess:
                    pass
        # Also whatever else is still in the group (a member we never saw).
        self._signal_group(signal.SIGKILL)
        _all_gone(members, 10.0)
        self.exit_status = self.process.wait()

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass


def _all_gone(processes: list[psutil.Process], timeout: float) -> bool:
    """Wait until none of `processes` runs (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for process in processes:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


# The signals the registry stops servers with.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _prepare_child(cpus: set[int] | None) -> None:
    """In the server's process, before exec: default stop signals, and its CPUs.

    An ignored signal stays ignored across exec, and a harness started in
    the background (a shell's `cmd &`, some terminals and CI runners) ignores
    SIGINT. A server that relies on Python's default SIGINT handling
    (waitress) would then ignore its stop signal and be killed only after
    the grace period, ten seconds per launch.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if cpus:
        os.sched_setaffinity(0, cpus)


@contextmanager
def serve(
    pair: Pair,
    *,
    python: str,
    workdir: Path,
    port: int | None = None,
    cpus: set[int] | None = None,
    startup_timeout: float = 30.0,
    stop_grace: float = 10.0,
    environ: Mapping[str, str] | None = None,
    wrapper: Sequence[str] = (),
    launched: Callable[[RunningServer], None] = lambda server: None,
) -> Iterator[RunningServer]:
    """Run `pair` on 127.0.0.1 until the block ends; yield it once it answers.

    `python` is the interpreter of the environment under test; `cpus`, when
    given, pins the server (and every process it starts) to those CPUs;
    `environ` adds variables to its environment; `wrapper` runs the server's
    command under another (valgrind, for counting); `launched` is told the
    server as soon as its process exists, before it answers (so that another
    thread can end it while it starts). The server's output goes to a log
    file in `workdir`, never to our pipes.
    """
    port = free_port() if port is None else port
    check_port_free(port)
    if os.sep in python:  # the server runs in `workdir`: a relative path would break
        python = os.path.abspath(python)
    argv = [*wrapper, *pair.server.argv(python=python, target=pair.app.target, host=HOST, port=port)]
    log = workdir / f"{pair.server.name}-{pair.app.framework}-{pair.app.interface}-{port}.log"
    env = {**os.environ, **(environ or {})}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))

    guard = _Watchdog()
    server: RunningServer | None = None
    try:
        with log.open("wb") as output:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                env=env,
                start_new_session=True,
                preexec_fn=lambda: _prepare_child(cpus),
            )
        server = RunningServer(pair, process, port, log)
        guard.guard(process.pid)
        launched(server)
        server.wait_until_ready(startup_timeout)
        yield server
    finally:
        if server is not None:
            server.stop(stop_grace)
        guard.release()
