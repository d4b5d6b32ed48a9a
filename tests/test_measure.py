"""Real launches: real servers, real wrk, a second or two per workload."""

from __future__ import annotations

import math
import sys

import pytest

from stackbench import registry
from stackbench.errors import ContractError, ResponseError
from stackbench.measure.wallclock import Placement, Workload, launch
from stackbench.serve.contract import SCENARIOS
from stackbench.settings import Settings

from .conftest import (
    FLAKY_BODY,
    FLAKY_JSON,
    ONE_AT_A_TIME,
    RAW_ASGI,
    WRONG_BODY,
    running_with,
)

pytestmark = pytest.mark.slow

ONE_SECOND = Settings(duration=1, runs=2, warmup=0, check=1)
BOTH = tuple(Workload(s, 32) for s in SCENARIOS)


@pytest.mark.parametrize(
    ("interface", "server", "framework"),
    [("asgi", "uvicorn", "starlette"), ("wsgi", "gunicorn", "flask")],
)
def test_one_launch_measures_every_workload(interface, server, framework, stack_python, tmp_path):
    pair = registry.find_pair(interface, server, framework)
    seen = []
    result = launch(pair, BOTH, ONE_SECOND, python=stack_python, workdir=tmp_path,
                    check_responses_of=frozenset({"plaintext", "json"}),
                    on_run=lambda workload, index, run: seen.append((workload.scenario.name, index)))
    assert seen == [("plaintext", 0), ("plaintext", 1), ("json", 0), ("json", 1)]
    assert result.peak_rss > 10 * 2**20  # a Python server holds > 10 MiB
    for measured in result.results:
        assert len(measured.runs) == 2
        assert measured.check is not None and measured.check.checked > 100 and measured.check.mismatches == 0
        assert measured.started_at < measured.at < measured.ended_at
        for run in measured.runs:
            assert run.wrk.requests > 100 and run.wrk.errors == 0 and run.wrk.exact
            assert 0.9 <= run.wrk.duration <= 1.5
            assert run.server_cpu_seconds > 0 and 0 < run.client_busy < 1.5
        assert math.isclose(measured.seconds_per_request,
                            sum(r.wrk.duration for r in measured.runs) / measured.requests)
    if result.placement.server is not None:
        assert result.placement.server.isdisjoint(result.placement.load)


def test_wrong_body_fails_before_any_load(stack_python, tmp_path):
    pair = registry.Pair(registry.find_pair("asgi", "uvicorn", "raw").server, WRONG_BODY)
    with pytest.raises(ContractError) as caught:
        launch(pair, BOTH[:1], ONE_SECOND, python=stack_python, workdir=tmp_path)
    message = str(caught.value)
    assert "uvicorn + wrong-body (ASGI), plaintext at 32 connections: GET / broke the app contract" in message
    assert "body: expected b'Hello, World!', got b'Hello, Wrold!'" in message
    assert "The server is still running. Last lines of" in message
    assert running_with(WRONG_BODY.module) == []


def test_wrong_bodies_under_load_fail_the_pair_with_count_and_example(stack_python, tmp_path):
    pair = registry.Pair(registry.find_pair("asgi", "uvicorn", "raw").server, FLAKY_BODY)
    with pytest.raises(ResponseError) as caught:
        launch(pair, BOTH[:1], ONE_SECOND, python=stack_python, workdir=tmp_path,
               check_responses_of=frozenset({"plaintext"}))
    message = str(caught.value)
    assert "responses under load differed from the answer that passed the contract check" in message
    assert "for example: b'200 " in message  # the status and the wrong body
    wrong, _, checked = message.split(": ", 1)[1].split(" responses")[0].partition(" of ")
    ratio = int(wrong.replace(",", "")) / int(checked.replace(",", ""))
    assert 1 / 50 <= ratio <= 1 / 50 + 1 / 97 + 0.001
    assert running_with(FLAKY_BODY.module) == []


def test_one_check_run_loads_every_scenario_and_blames_the_wrong_one(stack_python, tmp_path):
    pair = registry.Pair(registry.find_pair("asgi", "uvicorn", "raw").server, FLAKY_JSON)
    workloads = tuple(Workload(s, c) for s in SCENARIOS for c in (1, 32))
    ran = []
    with pytest.raises(ResponseError) as caught:
        launch(pair, workloads, ONE_SECOND, python=stack_python, workdir=tmp_path,
               check_responses_of=frozenset({"plaintext", "json"}),
               on_run=lambda workload, index, run: ran.append(workload))
    assert ran == []  # the check comes before any recorded run
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("uvicorn + flaky-json (ASGI), json at 32 connections, response check: ")
    assert "responses under load differed" in lines[0] and "for example: b'200 {\"message\": \"Hello, Wrold!\"}'" in lines[0]
    assert not any("plaintext" in line and "differed" in line for line in lines)


def test_a_server_that_leaves_connections_waiting_fails_the_check(tmp_path):
    # Right answers, fast, to one connection at a time: at 32 connections wrk
    # would record only the served one's requests, with no error at all.
    pair = registry.Pair(ONE_AT_A_TIME, RAW_ASGI)
    with pytest.raises(ResponseError) as caught:
        launch(pair, BOTH, ONE_SECOND, python=sys.executable, workdir=tmp_path,
               check_responses_of=frozenset({"plaintext", "json"}))
    message = str(caught.value)
    assert "connections got no answer in the 1 s check run" in message
    assert "the server leaves connections waiting, so its figures would not be at 32 connections" in message
    assert running_with("one_at_a_time_server.py") == []


def test_the_check_is_kept_with_the_loaded_workload_of_each_scenario(stack_python, tmp_path):
    pair = registry.find_pair("asgi", "uvicorn", "raw")
    workloads = tuple(Workload(s, c) for s in SCENARIOS for c in (1, 32))
    result = launch(pair, workloads, ONE_SECOND, python=stack_python, workdir=tmp_path,
                    check_responses_of=frozenset({"plaintext", "json"}))
    checked = {(r.scenario, r.connections): r.check for r in result.results}
    assert checked[("plaintext", 1)] is None and checked[("json", 1)] is None
    for scenario in ("plaintext", "json"):
        check = checked[(scenario, 32)]
        assert check is not None and check.checked > 100 and check.mismatches == 0


def test_without_the_check_the_same_app_would_have_been_recorded(stack_python, tmp_path):
    # What the check guards against: plain runs see status 200 and count it all.
    pair = registry.Pair(registry.find_pair("asgi", "uvicorn", "raw").server, FLAKY_BODY)
    result = launch(pair, BOTH[:1], ONE_SECOND, python=stack_python, workdir=tmp_path)
    assert all(run.wrk.errors == 0 for run in result.results[0].runs)


def test_placement_splits_cpus_when_there_are_two():
    placement = Placement.split()
    if placement.server is None:
        pytest.skip("fewer than 2 CPUs here")
    assert len(placement.server) == len(placement.load) == 1
    assert placement.server.isdisjoint(placement.load)
    assert "server on CPU" in placement.describe()
