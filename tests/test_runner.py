"""Running every pair of an environment: plans, skips, failures, interruption."""

from __future__ import annotations

import io
import re
import signal
import threading

import pytest

from stackbench import registry, stacks
from stackbench.contract import SCENARIOS
from stackbench.errors import ConfigError, Interrupted
from stackbench.runner import (
    Job,
    Key,
    Progress,
    measure_environment,
    plan,
    run,
    selection_from_environ,
)
from stackbench.settings import Settings

from .conftest import DIES_AT_START, RAW_ASGI, running_with

QUICK = Settings(duration=1, repeats=2, warmup=0)
EVERYTHING = {stacks.normalize(registry.distribution(r)): "1" for r in registry.requirements()}


def test_plan_covers_every_pair_and_scenario():
    jobs, skipped = plan(EVERYTHING)
    assert skipped == []
    assert len(jobs) == len(registry.pairs()) * len(SCENARIOS)
    assert len({job.key for job in jobs}) == len(jobs)


def test_pairs_whose_packages_are_missing_are_skipped_with_the_reason():
    present = {"uvicorn": "1", "starlette": "1"}
    jobs, skipped = plan(present, stack="old")
    assert {(j.pair.server.name, j.pair.app.framework) for j in jobs} == {
        ("uvicorn", "raw"),
        ("uvicorn", "starlette"),
    }
    reasons = {o.key: o.reason for o in skipped}
    assert reasons[Key("asgi", "uvicorn", "fastapi", "json")] == "fastapi not installed in stack 'old'"
    assert reasons[Key("wsgi", "gunicorn", "flask", "plaintext")] == "gunicorn, flask not installed in stack 'old'"
    assert all(o.status == "skipped" for o in skipped)


def test_selection_by_pattern():
    patterns = selection_from_environ({"STACKBENCH_PAIRS": "uvicorn:starlette, gunicorn:*"})
    jobs, skipped = plan(EVERYTHING, patterns)
    chosen = {(j.pair.server.name, j.pair.app.framework) for j in jobs}
    assert chosen == {("uvicorn", "starlette"), ("gunicorn", "raw"), ("gunicorn", "flask"), ("gunicorn", "falcon")}
    assert skipped[0].reason == "not selected by STACKBENCH_PAIRS=uvicorn:starlette gunicorn:*"
    assert selection_from_environ({}) is None


@pytest.mark.parametrize("bad", ["uvicorn", "nginx:*", "uvicorn:django"])
def test_a_pattern_that_matches_nothing_is_an_error(bad):
    with pytest.raises(ConfigError, match=re.escape(f"STACKBENCH_PAIRS pattern '{bad}' matches no pair")):
        selection_from_environ({"STACKBENCH_PAIRS": bad})


@pytest.mark.slow
def test_one_failing_pair_does_not_sink_the_run(stack_python, tmp_path):
    good = Job(registry.find_pair("asgi", "uvicorn", "raw"), SCENARIOS[0])
    bad = Job(registry.Pair(DIES_AT_START, RAW_ASGI), SCENARIOS[0])
    output = io.StringIO()
    progress = Progress(2, QUICK, "stack test", [output])
    outcomes = run([bad, good], QUICK, python=stack_python, workdir=tmp_path, progress=progress)
    assert [o.status for o in outcomes] == ["failed", "measured"]
    assert "dies-at-start + raw exited with status 3" in outcomes[0].reason
    assert outcomes[0].measurement is None
    assert len(outcomes[1].measurement.repeats) == 2
    lines = output.getvalue().splitlines()
    assert lines[0].startswith("[stack test] 2 measurements, 32 connections, 2 x 1 s after 0 s warm-up;")
    assert any("1/2 dies-at-start + raw (ASGI), plaintext: FAILED" in line for line in lines)
    assert any("2/2 uvicorn + raw (ASGI), plaintext: repeat 2/2" in line for line in lines)
    assert "left" in lines[-1] and "req/s (cv" in lines[-1]


@pytest.mark.slow
def test_sigterm_stops_the_run_and_its_server(stack_python, tmp_path):
    job = Job(registry.find_pair("asgi", "uvicorn", "raw"), SCENARIOS[0])
    long = Settings(duration=5, repeats=2, warmup=0)
    timer = threading.Timer(2.0, signal.raise_signal, (signal.SIGTERM,))
    timer.start()
    try:
        with pytest.raises(Interrupted):
            run([job], long, python=stack_python, workdir=tmp_path, progress=Progress(1, long, "t", []))
    finally:
        timer.cancel()
    assert running_with("apps.raw_asgi:app --host 127.0.0.1") == []
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler restored


@pytest.mark.slow
def test_environment_that_does_not_match_its_stack_measures_nothing(stack_python, tmp_path):
    original = stacks.load(stacks.CURRENT)
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(original.path.read_text().replace(f"uvicorn=={original.pins['uvicorn']}", "uvicorn==0.1.0"))
    outcomes = measure_environment(
        QUICK,
        python=stack_python,
        present=stacks.installed(stack_python),
        workdir=tmp_path,
        stack="tampered",
        stack_file=tampered,
        streams=[],
    )
    failed = [o for o in outcomes.values() if o.status == "failed"]
    assert len(failed) == len(outcomes) == len(registry.pairs()) * len(SCENARIOS)
    assert f"uvicorn 0.1.0 pinned, {original.pins['uvicorn']} installed" in failed[0].reason
    assert list(tmp_path.glob("*.log")) == []  # no server was started
