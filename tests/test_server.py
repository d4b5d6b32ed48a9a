"""Starting and stopping servers for real; nothing may outlive a server.

Every registered server is started with its own command, checked to answer,
and stopped with its own procedure, which must end it gracefully (status 0).
The failure cases each give a clear error and leave no process behind.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from stackbench import registry, stacks
from stackbench.errors import ServerError
from stackbench.serve.contract import SCENARIOS, fetch, verify
from stackbench.serve.launchers import granian_server, release
from stackbench.serve.server import HOST, ROOT, STOP_SIGNALS, serve
from stackbench.session import reference

from .conftest import (
    DIES_AT_START,
    RAW_ASGI,
    STUBBORN,
    assert_no_leftovers,
    group_members,
    running_with,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("server", registry.SERVERS, ids=lambda s: f"{s.name}-{s.interface}")
def test_each_server_starts_answers_and_stops_gracefully(server, stack_python, tmp_path):
    # The raw app, or the one app a framework's own server serves.
    pair = registry.Pair(server, next(a for a in registry.apps(server.interface) if server.can_serve(a)))
    with serve(pair, python=stack_python, workdir=tmp_path) as running:
        answer = fetch(HOST, running.port, "/")
        assert (answer.status, answer.body) == (200, b"Hello, World!")
        assert running.listening()
        pids = [p.pid for p in running.processes()]
        assert group_members(running.pid)  # it really runs in its own group
        started = time.monotonic()
    assert time.monotonic() - started < 10  # well inside the grace period
    # Its own stop signal ended it cleanly: no SIGKILL was needed.
    assert running.exit_status == 0, f"{server.name} exited with {running.exit_status}"
    assert_no_leftovers(running.pid, pids)


@pytest.mark.parametrize("candidate", [reference.NGINX, reference.UVICORN_FROZEN], ids=lambda r: r.name)
def test_each_reference_server_starts_answers_both_scenarios_and_stops(candidate, stack_python, tmp_path):
    python = reference.frozen_python() if candidate.frozen else stack_python
    with serve(candidate.pair, python=python, workdir=tmp_path) as running:
        for scenario in SCENARIOS:
            verify(HOST, running.port, scenario, label=candidate.name)  # the same contract as the apps
        pids = [p.pid for p in running.processes()]
    assert running.exit_status == 0, f"{candidate.name} exited with {running.exit_status}"
    assert_no_leftovers(running.pid, pids)


def test_server_that_dies_at_start(stack_python, tmp_path):
    pair = registry.Pair(DIES_AT_START, RAW_ASGI)
    with pytest.raises(ServerError) as caught:
        with serve(pair, python=stack_python, workdir=tmp_path):
            pytest.fail("a server that exits at once cannot be ready")
    message = str(caught.value)
    assert "dies-at-start + raw exited with status 3 before answering" in message
    assert "cannot start: missing piece" in message  # the tail of its log
    assert running_with("cannot start: missing piece") == []


def test_server_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    pair = registry.Pair(STUBBORN, RAW_ASGI)
    with serve(pair, python=sys.executable, workdir=tmp_path, stop_grace=1.0) as running:
        assert fetch(HOST, running.port, "/").status == 200
        pids = [p.pid for p in running.processes()]
        stopping = time.monotonic()
    waited = time.monotonic() - stopping
    assert running.exit_status == -signal.SIGKILL
    assert 1.0 <= waited < 5.0
    assert_no_leftovers(running.pid, pids)


def test_servers_stop_by_their_signal_even_when_the_harness_ignores_it(stack_python, tmp_path):
    """A harness started in the background ignores SIGINT, and an ignored signal survives exec."""
    pair = registry.find_pair("wsgi", "waitress", "raw")  # stops by Python's default SIGINT handling
    assert pair.server.stop_signal == signal.SIGINT
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with serve(pair, python=stack_python, workdir=tmp_path, stop_grace=30.0) as running:
            assert fetch(HOST, running.port, "/").status == 200
            pids = [p.pid for p in running.processes()]
    finally:
        signal.signal(signal.SIGINT, previous)
    assert running.exit_status == 0, f"waitress exited with {running.exit_status}, not by its SIGINT"
    assert_no_leftovers(running.pid, pids)


def test_every_stop_signal_is_reset_for_the_server():
    assert {server.stop_signal for server in registry.SERVERS} <= set(STOP_SIGNALS)


def test_port_already_taken(stack_python, tmp_path):
    with socket.socket() as squatter:
        squatter.bind((HOST, 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        pair = registry.Pair(registry.SERVERS[0], RAW_ASGI)
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            with serve(pair, python=stack_python, workdir=tmp_path, port=port):
                pytest.fail("must not start on a taken port")
    assert list(tmp_path.glob("*.log")) == []  # nothing was launched


def test_server_that_never_answers_times_out_with_its_log(tmp_path):
    token = uuid.uuid4().hex  # finds the process afterwards, to check it is gone
    silent = registry.Server(
        "silent", "asgi", (), ("{python}", "-c", f"import time; print('thinking {token}'); time.sleep(60)")
    )
    with pytest.raises(ServerError, match=r"did not answer on 127\.0\.0\.1:\d+ within 1 s") as caught:
        with serve(registry.Pair(silent, RAW_ASGI), python=sys.executable, workdir=tmp_path, startup_timeout=1):
            pass
    assert f"thinking {token}" in str(caught.value)
    assert running_with(token) == []


def test_exception_inside_the_block_still_stops_the_server(stack_python, tmp_path):
    pair = registry.Pair(registry.SERVERS[0], RAW_ASGI)
    with pytest.raises(KeyboardInterrupt):
        with serve(pair, python=stack_python, workdir=tmp_path) as running:
            pids = [p.pid for p in running.processes()]
            raise KeyboardInterrupt  # what Ctrl-C raises
    assert_no_leftovers(running.pid, pids)


def test_harness_killed_with_sigkill_takes_its_server_along(stack_python, tmp_path):
    """asv SIGKILLs a benchmark one second after SIGTERM; the watchdog must act."""
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from stackbench import registry
        from stackbench.serve.server import serve
        pair = registry.Pair(registry.SERVERS[0], registry.App("raw", "asgi"))
        with serve(pair, python={stack_python!r}, workdir=Path({str(tmp_path)!r})) as running:
            print(running.pid, *[p.pid for p in running.processes()], flush=True)
            time.sleep(120)
        """
    )
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as harness:
        try:
            pids = [int(p) for p in harness.stdout.readline().split()]
            assert pids, "the harness did not start its server"
            assert group_members(pids[0])
        finally:
            harness.kill()
    deadline = time.monotonic() + 5
    while group_members(pids[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_no_leftovers(pids[0], pids)


# Servers whose command line changed between the releases the stacks hold: launchers build
# it for the installed release (granian's options, gunicorn's uvicorn worker class).
RELEASE_DEPENDENT = [s for s in registry.SERVERS if s.name in ("granian", "gunicorn-uvicorn")]


@pytest.mark.slow
@pytest.mark.parametrize("stack", stacks.names())
@pytest.mark.parametrize("server", RELEASE_DEPENDENT, ids=lambda s: f"{s.name}-{s.interface}")
def test_servers_whose_command_changed_serve_on_every_stack(server, stack, stack_environments, tmp_path):
    pinned = stacks.load(stack)
    if pinned.absent_of(server.requires):
        return  # no release by the stack's date (test_contract checks that such pairs are skipped)
    pair = registry.Pair(server, next(a for a in registry.apps(server.interface) if a.framework == "raw"))
    with serve(pair, python=stack_environments(stack), workdir=tmp_path) as running:
        for each in SCENARIOS:
            verify(HOST, running.port, each, label=f"{pair.label} on {stack}, {each.name}")
    assert running.exit_status == 0, f"{server.name} on {stack} exited with {running.exit_status}"


def test_granian_options_follow_its_release():
    before_1 = granian_server.command("wsgi", "apps.raw_wsgi:app", HOST, 8000, (0, 6, 1))
    assert "--no-access-log" not in before_1 and "--blocking-threads" not in before_1
    since_1 = granian_server.command("wsgi", "apps.raw_wsgi:app", HOST, 8000, (1, 6, 4))
    assert since_1[since_1.index("--blocking-threads") + 1] == "4" and "--no-access-log" in since_1
    assert "--blocking-threads" not in granian_server.command("asgi", "apps.raw_asgi:app", HOST, 8000, (2, 8))
    assert release("2.0.0rc1") == (2, 0, 0) and release("0.6.1") < (1,) <= release("1.6.4")
