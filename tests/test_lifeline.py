"""When asv dies, however it dies, the measurement stops and leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from stackbench.errors import Interrupted
from stackbench.serve.lifeline import Lifeline
from stackbench.serve.server import ROOT

from .conftest import alive, group_members

# The harness as asv's setup_cache runs it: tied to its parent, measuring a long run.
HARNESS = textwrap.dedent("""
    import os, sys, tempfile
    from pathlib import Path
    import psutil
    sys.path.insert(0, {root!r})
    from stackbench import registry
    from stackbench.serve.lifeline import Lifeline
    from stackbench.session.runner import Environment, Job, run_session, workloads
    from stackbench.settings import Settings
    parent = psutil.Process(os.getppid())
    lifeline = Lifeline(parent.pid, parent.create_time())
    settings = Settings(duration=30, runs=1, launches=1, rounds=1, warmup=0, check=1)
    with tempfile.TemporaryDirectory() as workdir:
        job = Job(registry.find_pair("asgi", "uvicorn", "raw"), workloads((32,)))
        run_session([job], settings, Environment({python!r}, Path(workdir), lifeline=lifeline))
""")
# The parent (asv's place): starts the harness, says its pid, waits.
PARENT = textwrap.dedent("""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
    print(child.pid, flush=True)
    time.sleep(600)
""")


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.slow
def test_killing_the_parent_stops_servers_and_wrk_within_seconds(stack_python):
    parent = subprocess.Popen([sys.executable, "-c", PARENT, HARNESS.format(root=str(ROOT), python=stack_python)],
                              stdout=subprocess.PIPE, text=True)
    try:
        harness = psutil.Process(int(parent.stdout.readline()))

        def measuring():
            children = harness.children()
            names = [" ".join(c.cmdline()) for c in children if c.is_running()]
            return children if any("wrk" in n for n in names) and any("uvicorn" in n for n in names) else None

        # The server is up and wrk is loading it (the 30 s recorded run).
        children = wait_for(measuring, 60, "the server and wrk")
        server = next(c for c in children if "uvicorn" in " ".join(c.cmdline()))
        pids = [harness.pid, *[c.pid for c in children], *[c.pid for c in server.children(recursive=True)]]
        parent.kill()  # SIGKILL: no handler, no cleanup of its own
        parent.wait()
        killed_at = time.monotonic()
        wait_for(lambda: not any(alive(p) for p in pids) and not group_members(server.pid), 15, "nothing left")
        assert time.monotonic() - killed_at < 15
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()


def test_a_watched_asv_that_is_gone_interrupts_at_the_next_check():
    watched = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lifeline = Lifeline(watched.pid, psutil.Process(watched.pid).create_time(), tie_to_parent=False)
        lifeline.check()  # alive: no complaint
        watched.kill()
        watched.wait()
        with pytest.raises(Interrupted, match=f"asv \\(pid {watched.pid}\\) is gone"):
            lifeline.check()
    finally:
        if watched.poll() is None:
            watched.kill()


def test_an_asv_gone_before_the_start_interrupts_at_once():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with pytest.raises(Interrupted, match="ended before the measurement began"):
        Lifeline(gone.pid, 0.0, tie_to_parent=False)
