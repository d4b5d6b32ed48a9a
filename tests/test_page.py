"""The summary page's data and views, from a captured real asv run.

The data is a small real asv run captured in fixtures/asv-run/ (see
fixtures/capture_asv_run.py): uvicorn + starlette and gunicorn + flask
measured, daphne + sanic failed, every other pair not selected; two stacks;
two commits of the latest stack; machine "fixture".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stackbench import registry, stacks
from stackbench.asv.metrics import METRICS
from stackbench.report import page, summary
from stackbench.session import reference

FIXTURE = Path(__file__).parent / "fixtures" / "asv-run"
MEASURED = {("uvicorn", "starlette"), ("gunicorn", "flask")}
FAILED = ("daphne", "sanic")


@pytest.fixture(scope="module")
def cells():
    return summary.collect(FIXTURE / "results", FIXTURE)


def test_collect_joins_results_and_records(cells):
    assert {c.run.machine.name for c in cells} == {"fixture"}
    assert summary.stacks_by_date(cells) == ["2024-11-23", "latest"]
    newest = summary.current(cells)
    for cell in newest:
        pair = (cell.server, cell.framework)
        if pair in MEASURED:
            assert cell.status == "measured"
            assert set(cell.values) == {m.name for m in METRICS}
            for name, (low, high) in cell.spreads.items():
                assert low * (1 - 1e-4) <= cell.values[name] <= high * (1 + 1e-4)  # asv keeps 5 digits
            assert set(cell.spreads) == {m.name for m in METRICS}
            assert cell.versions[cell.server] == stacks.load(cell.run.stack).pins[cell.server]
        elif pair == FAILED:
            assert cell.status == "failed"
            assert "Loop can only be retrieved after the app has started running" in cell.reason
            assert cell.values == {}
        else:
            assert cell.status == "skipped"
            assert cell.reason == summary.NOT_SELECTED
    for run in {id(c.run): c.run for c in newest}.values():
        assert set(run.references) == {r.name for r in reference.REFERENCES}
        assert run.settings["launches"] == 2 and run.measured_at is not None
    latest_commits = {c.run.commit for c in cells if c.run.stack == "latest"}
    assert len(latest_commits) == 2
    assert len({c.run.commit for c in newest if c.run.stack == "latest"}) == 1


def test_without_a_record_the_status_still_shows(cells, tmp_path):
    # The same results with the records folder gone: asv's None/NaN decide.
    bare = summary.collect(FIXTURE / "results", tmp_path)
    failed = [c for c in summary.current(bare) if (c.server, c.framework) == FAILED]
    assert failed and all(c.status == "failed" for c in failed)
    assert summary.NO_RECORD in failed[0].reason
    assert all(c.spreads == {} for c in bare)


def test_views_hold_one_bar_per_measured_pair(cells):
    views = page._views(cells)
    for stack in ("2024-11-23", "latest"):
        for scenario in ("plaintext", "json"):
            view = views[page._key("fixture", stack, scenario, 32)]
            assert view["asgi"]["bars"]["server"] == ["uvicorn"]
            assert view["wsgi"]["bars"]["server"] == ["gunicorn"]
            gaps = view["asgi"]["gaps"]
            failed = [i for i, status in enumerate(gaps["status"]) if status == "failed"]
            assert [(gaps["server"][i], gaps["framework"][i]) for i in failed] == [FAILED]
            assert len(view["table"]["server"]) == len(registry.pairs())
            assert "references: nginx" in view["about"] and "uvicorn-frozen" in view["about"]
            assert "launches" in view["about"]


def test_page_is_self_contained(cells):
    html = page.build(cells)
    assert re.findall(r"<script[^>]*\ssrc=|<link[^>]*\shref=", html) == []  # nothing fetched
    assert "cdn.bokeh.org" not in html
    assert len(html) > 1_000_000  # bokeh's JavaScript is inlined


def test_every_metric_has_a_display():
    assert set(page.DISPLAY) == {m.name for m in METRICS}


def test_time_views_show_the_normalized_metric_when_the_reference_moved(cells):
    measured = [c for c in cells if c.status == "measured" and c.server == "uvicorn"]
    moved = [c.run.references[reference.NORMALIZER] for c in measured]
    _, metric, note = page._series(measured, "seconds_per_request")
    if max(moved) / min(moved) - 1 > page.REFERENCE_NOISE:
        assert metric == "normalized_seconds_per_request" and "moved" in note
    else:
        assert metric == "seconds_per_request" and note == ""
    # Runs of one reference figure never switch.
    same = [c for c in measured if c.run == measured[0].run]
    assert page._series(same, "seconds_per_request")[1:] == ("seconds_per_request", "")


def test_first_suite_results_take_their_connections_from_their_record(tmp_path):
    # results/vm holds runs of suite version 1 (no connections parameter) with
    # their format-1 records: their cells join at the record's 32 connections.
    repository = FIXTURE.parents[2]
    old = summary.collect(repository / "results", repository)
    first = [c for c in old if c.run.machine.name == "vm"]
    assert first and {c.connections for c in first} == {32}
    assert any(c.status == "measured" for c in first)
    assert "normalized_seconds_per_request" not in first[0].values
    assert "vm" in page.build(old)  # no normalized metric there: the page still builds
    # Without their records they are left out rather than guessed.
    assert [c for c in summary.collect(repository / "results", tmp_path) if c.run.machine.name == "vm"] == []
