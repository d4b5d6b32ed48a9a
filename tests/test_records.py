"""Records keyed by run: a run cut short never touches a complete record."""

from __future__ import annotations

import statistics

import pytest

from stackbench import records
from stackbench.report.summary import _source, _Value, _with_sessions
from stackbench.session.runner import Outcome

from .builders import KEY, session

ENV = "virtualenv-py3.11-STACKlatest"


def record(invocation: str) -> records.Record:
    return records.Record(
        commit="0123456789abcdef", env_name=ENV, stack="latest",
        machine={"name": "vm-test", "fingerprint": "f", "host": "vm"},
        invocation={"id": invocation, "command": "asv run", "interleaved": False},
        python="3.11.7", settings={"launches": 2}, versions={"uvicorn": "0.54.0"},
    )


def test_a_session_is_partial_until_complete_and_round_trips(tmp_path):
    keeper = records.Keeper(tmp_path, record("20261124T100000-1"))
    running = session({KEY: [2e-5, 3e-5]})
    keeper.progress(running)
    assert keeper.partial.is_file() and not keeper.path.exists()
    assert records.invocations(tmp_path, "vm-test", "0123456789abcdef", ENV) == []
    path = keeper.complete(running)
    assert not keeper.partial.exists()
    (loaded,) = records.invocations(tmp_path, "vm-test", "0123456789abcdef", ENV)
    assert loaded == records.load(path)
    (round_,) = loaded.rounds()
    outcome = round_.get(KEY)
    assert [s.result.seconds_per_request for s in outcome.samples] == pytest.approx([2e-5, 3e-5], rel=1e-4)


def test_an_interrupted_rerun_leaves_the_complete_record_alone(tmp_path):
    complete = records.Keeper(tmp_path, record("20261124T100000-1"))
    path = complete.complete(session({KEY: [2e-5, 2e-5, 2e-5]}, started=0.0, ended=10.0))
    before = path.read_text()
    rerun = records.Keeper(tmp_path, record("20261124T110000-2"))
    rerun.progress(session({KEY: [9e-5]}, started=20.0, ended=25.0))  # then killed
    assert path.read_text() == before
    found = records.invocations(tmp_path, "vm-test", "0123456789abcdef", ENV)
    assert [r.invocation["id"] for r in found] == ["20261124T100000-1"]


def test_later_rounds_of_one_invocation_add_sessions(tmp_path):
    first = records.Keeper(tmp_path, record("20261124T100000-1"))
    first.complete(session({KEY: [2e-5]}, started=0.0, ended=5.0))
    second = records.Keeper(tmp_path, record("20261124T100000-1"))  # the next round's setup_cache
    path = second.complete(session({KEY: [3e-5]}, started=6.0, ended=11.0))
    assert len(records.load(path).rounds()) == 2


def test_asv_values_join_only_the_sessions_that_made_them(tmp_path):
    old = records.Keeper(tmp_path, record("20261124T100000-1"))
    old.complete(session({KEY: [2e-5, 2.2e-5, 2.4e-5]}, started=0.0, ended=10.0))
    new = records.Keeper(tmp_path, record("20261124T110000-2"))
    new.complete(session({KEY: [5e-5, 5e-5, 5e-5]}, started=100.0, ended=110.0))
    found = _with_sessions(records.invocations(tmp_path, "vm-test", "0123456789abcdef", ENV))
    # asv stored the old median at t=11 (the new run never reached asv): the old record.
    old_value = _Value(statistics.median([1 / round(1 / x) for x in (2e-5, 2.2e-5, 2.4e-5)]), 3, started_at=11.0)
    source = _source(found, KEY, old_value, "measured")
    assert source is not None and source.record.invocation["id"] == "20261124T100000-1"
    # asv stored the new median after the new session: the new record.
    new_value = _Value(5e-5, 3, started_at=111.0)
    assert _source(found, KEY, new_value, "measured").record.invocation["id"] == "20261124T110000-2"
    # A value no record's samples give: no join, rather than a wrong one.
    assert _source(found, KEY, _Value(7e-5, 3, started_at=111.0), "measured") is None


def test_a_failed_cell_takes_the_reason_of_its_session(tmp_path):
    keeper = records.Keeper(tmp_path, record("20261124T100000-1"))
    keeper.complete(session([Outcome(KEY, "failed", "daphne sends no lifespan events")], ended=10.0))
    found = _with_sessions(records.invocations(tmp_path, "vm-test", "0123456789abcdef", ENV))
    source = _source(found, KEY, _Value(None, None, started_at=12.0), "failed")
    assert source.outcome.reason == "daphne sends no lifespan events"
