"""Sessions: plans, interleaving, references, failures, client-bound, interruption."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
from dataclasses import replace

import pytest

from stackbench import registry, stacks
from stackbench.errors import Interrupted
from stackbench.measure.wallclock import Placement
from stackbench.session import reference
from stackbench.session.runner import (
    Environment,
    Job,
    Key,
    Progress,
    plan,
    run_session,
    workloads,
)
from stackbench.settings import Settings

from .conftest import DIES_AT_START, RAW_ASGI, running_with

QUICK = replace(Settings(),
                duration=1, runs=1, launches=2, rounds=1, warmup=0, check=1, reference_interval=3600)
EVERYTHING = {stacks.normalize(registry.distribution(r)): "1" for r in registry.requirements()}
UVICORN_RAW = registry.find_pair("asgi", "uvicorn", "raw")
UVICORN_STARLETTE = registry.find_pair("asgi", "uvicorn", "starlette")


def test_plan_covers_every_pair_and_workload():
    jobs, skipped = plan(EVERYTHING, QUICK)
    assert skipped == []
    assert [j.pair for j in jobs] == registry.pairs()
    keys = [key for job in jobs for key in job.keys]
    # Two scenarios at each concurrency level.
    assert len(keys) == len(set(keys)) == len(registry.pairs()) * 2 * len(QUICK.connections)
    assert {key.connections for key in keys} == set(QUICK.connections) == {1, 32}


def test_pairs_whose_packages_are_missing_are_skipped_with_the_reason():
    jobs, skipped = plan({"uvicorn": "1", "starlette": "1"}, QUICK, stack="old")
    # uvicorn-h11 is uvicorn with other options: the same package.
    assert {(j.pair.server.name, j.pair.app.framework) for j in jobs} == {
        (server, framework) for server in ("uvicorn", "uvicorn-h11") for framework in ("raw", "starlette")}
    reasons = {o.key: o.reason for o in skipped}
    assert reasons[Key("asgi", "uvicorn", "fastapi", "json", 32)] == "fastapi not installed in stack 'old'"
    assert reasons[Key("wsgi", "gunicorn", "flask", "plaintext", 32)] == "gunicorn, flask not installed in stack 'old'"


def test_cells_asv_will_not_ask_for_are_not_planned():
    jobs, skipped = plan(EVERYTHING, QUICK, selected=lambda key: key.server == "gunicorn" and key.scenario == "json")
    assert {j.pair.server.name for j in jobs} == {"gunicorn"}
    assert all([w.scenario.name for w in j.workloads] == ["json", "json"] for j in jobs)
    # asv -b can select a concurrency level too (the suite's `connections` parameter).
    jobs, _ = plan(EVERYTHING, QUICK, selected=lambda key: key.connections == 1)
    assert {w.connections for j in jobs for w in j.workloads} == {1}


@pytest.mark.slow
def test_pairs_take_turns_and_one_failing_pair_does_not_sink_the_session(stack_python, tmp_path):
    jobs = [Job(registry.Pair(DIES_AT_START, RAW_ASGI), workloads((32,))), Job(UVICORN_RAW, workloads((32,))),
            Job(UVICORN_STARLETTE, workloads((32,)))]
    output = io.StringIO()
    settings = replace(QUICK, launches=2)
    session = run_session(jobs, settings, Environment(stack_python, tmp_path), rounds=2,
                          progress=Progress(12, settings, "t", [output]))
    lines = [line for line in output.getvalue().splitlines() if "(ASGI)" in line]
    order = [line.split(", ", 2)[2].split(" (ASGI)")[0] for line in lines]
    # Round-robin, reversed every other cycle; the failed pair is not launched again.
    assert order == ["dies-at-start + raw", "uvicorn + raw", "uvicorn + starlette",
                     "uvicorn + starlette", "uvicorn + raw", "uvicorn + raw", "uvicorn + starlette",
                     "uvicorn + starlette", "uvicorn + raw"]
    for round_ in session.rounds:
        failed = round_.get(Key("asgi", "dies-at-start", "raw", "plaintext", 32))
        assert failed.status == "failed" and "exited with status 3" in failed.reason
        measured = round_.get(Key("asgi", "uvicorn", "starlette", "json", 32))
        # Client-bound or not depends on how busy wrk's core was (neighbours included);
        # either way the round keeps both launches' samples.
        assert measured.status in ("measured", "client-bound") and len(measured.samples) == 2
        assert len({s.launch for s in measured.samples}) == 2  # two launches, two samples
    assert session.rounds[0].get(Key("asgi", "uvicorn", "raw", "plaintext", 32)).samples[0].result.check is not None
    assert session.rounds[1].get(Key("asgi", "uvicorn", "raw", "plaintext", 32)).samples[0].result.check is None


@pytest.mark.slow
def test_references_are_read_around_the_launches_and_divide_each_one(stack_python, tmp_path):
    where = Environment(stack_python, tmp_path, frozen_python=reference.frozen_python())
    session = run_session([Job(UVICORN_RAW, workloads((32,)))], QUICK, where, rounds=1)
    readings = session.rounds[0].readings
    assert {r.reference for r in readings} == {r.name for r in reference.REFERENCES}
    times = sorted(r.at for r in readings if r.reference == reference.NORMALIZER)
    assert len(times) == 2  # at the start and at the end
    nginx = [r for r in readings if r.reference == "nginx"]
    assert all(r.client_busy > 0.5 for r in nginx)  # nginx drives wrk hard: it marks the ceiling
    for sample in session.rounds[0].get(Key("asgi", "uvicorn", "raw", "plaintext", 32)).samples:
        assert times[0] <= sample.result.at <= times[1]
        assert set(sample.reference) == {r.name for r in reference.REFERENCES}


@pytest.mark.slow
def test_a_starved_load_generator_marks_the_pair_client_bound(stack_python, tmp_path):
    placement = Placement.split()
    if placement.load is None:
        pytest.skip("needs a CPU for wrk")
    # A busy process on wrk's CPU: the load generator, not the server, becomes the limit.
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"],
                           preexec_fn=lambda: os.sched_setaffinity(0, placement.load))
    try:
        session = run_session([Job(UVICORN_RAW, workloads((32,)))], QUICK, Environment(stack_python, tmp_path),
                              rounds=1)
    finally:
        hog.kill()
        hog.wait()
    outcome = session.rounds[0].get(Key("asgi", "uvicorn", "raw", "plaintext", 32))
    assert outcome.status == "client-bound"
    assert outcome.reason.startswith("client-bound: wrk's CPU was") and "set the pace" in outcome.reason
    assert all(s.result.client_busy >= QUICK.client_bound for s in outcome.samples[:1])


@pytest.mark.slow
def test_sigterm_stops_the_session_and_its_server(stack_python, tmp_path):
    long = replace(QUICK, duration=5, runs=2)
    timer = threading.Timer(2.0, signal.raise_signal, (signal.SIGTERM,))
    timer.start()
    try:
        with pytest.raises(Interrupted):
            run_session([Job(UVICORN_RAW, workloads((32,)))], long, Environment(stack_python, tmp_path))
    finally:
        timer.cancel()
    assert running_with("apps.raw_asgi:app --host 127.0.0.1") == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler restored
