"""Real measurements: real servers, real wrk, about a second per scenario."""

from __future__ import annotations

import math

import pytest

from stackbench import registry
from stackbench.contract import SCENARIOS
from stackbench.errors import ContractError
from stackbench.measure import Placement, measure
from stackbench.metrics import METRICS
from stackbench.settings import Settings

from .conftest import WRONG_BODY, running_with

pytestmark = pytest.mark.slow

ONE_SECOND = Settings(duration=1, repeats=2, warmup=0)


@pytest.mark.parametrize(
    ("interface", "server", "framework"),
    [("asgi", "uvicorn", "starlette"), ("wsgi", "gunicorn", "flask")],
)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_real_measurement(interface, server, framework, scenario, stack_python, tmp_path):
    pair = registry.find_pair(interface, server, framework)
    seen = []
    result = measure(
        pair,
        scenario,
        ONE_SECOND,
        python=stack_python,
        workdir=tmp_path,
        on_repeat=lambda index, repeat: seen.append(index),
    )
    assert (result.server, result.framework, result.scenario) == (server, framework, scenario.name)
    assert len(result.repeats) == 2 and seen == [0, 1]
    for repeat in result.repeats:
        assert repeat.wrk.requests > 100
        assert repeat.wrk.requests_per_second > 100
        assert repeat.wrk.errors == 0 and repeat.wrk.exact
        assert 0.9 <= repeat.wrk.duration <= 1.5
        assert repeat.server_cpu_seconds > 0
        assert repeat.server_peak_rss > 10 * 2**20  # a Python server holds > 10 MiB
        assert repeat.wrk_cpu_seconds > 0
    for metric in METRICS:
        samples = metric.samples(result.repeats)
        assert len(samples) == 2
        assert all(math.isfinite(x) and x > 0 for x in samples), metric.name
    placement = result.placement
    if placement.server is not None:
        assert placement.server.isdisjoint(placement.load)


def test_wrong_body_fails_before_any_load(stack_python, tmp_path):
    pair = registry.Pair(registry.find_pair("asgi", "uvicorn", "raw").server, WRONG_BODY)
    with pytest.raises(ContractError) as caught:
        measure(pair, SCENARIOS[0], ONE_SECOND, python=stack_python, workdir=tmp_path)
    message = str(caught.value)
    assert "uvicorn + wrong-body (ASGI), plaintext: GET / broke the app contract" in message
    assert "body: expected b'Hello, World!', got b'Hello, Wrold!'" in message
    assert "status:" not in message and "Content-Type:" not in message  # only the body was wrong
    assert "The server is still running. Last lines of" in message
    assert running_with(WRONG_BODY.module) == []


def test_placement_splits_cpus_when_there_are_two():
    placement = Placement.split()
    if placement.server is None:
        pytest.skip("fewer than 2 CPUs here")
    assert len(placement.server) == len(placement.load) == 1
    assert placement.server.isdisjoint(placement.load)
    assert "server on CPU" in placement.describe()
