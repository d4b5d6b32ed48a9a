"""The summary page: its data, and the page itself in a real headless Chromium.

The data is a small real asv run captured in fixtures/asv-run/ (see
fixtures/capture_asv_run.py): uvicorn + starlette and gunicorn + flask
measured, daphne + sanic failed, every other pair skipped; two stacks; two
commits of the latest stack.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stackbench import page, stacks, summary
from stackbench.metrics import METRICS

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
                assert low <= cell.values[name] <= high
            assert cell.versions[cell.server] == stacks.load(cell.run.stack).pins[cell.server]
        elif pair == FAILED:
            assert cell.status == "failed"
            assert "Loop can only be retrieved after the app has started running" in cell.reason
            assert cell.values == {}
        else:
            assert cell.status == "skipped"
            assert cell.reason.startswith("not selected by STACKBENCH_PAIRS")
    latest_commits = {c.run.commit for c in cells if c.run.stack == "latest"}
    assert len(latest_commits) == 2
    assert len({c.run.commit for c in newest if c.run.stack == "latest"}) == 1


def test_without_a_record_the_status_still_shows(cells, tmp_path):
    # The same results with the records folder gone: asv's None/NaN decide.
    bare = summary.collect(FIXTURE / "results", tmp_path)
    failed = [c for c in summary.current(bare) if (c.server, c.framework) == FAILED]
    assert failed and all(c.status == "failed" for c in failed)
    assert "no stackbench record" in failed[0].reason
    assert all(c.spreads == {} for c in bare)


def test_views_hold_one_bar_per_measured_pair(cells):
    views = page._views(cells)
    for stack in ("2024-11-23", "latest"):
        for scenario in ("plaintext", "json"):
            view = views[page._key("fixture", stack, scenario)]
            assert view["asgi"]["bars"]["server"] == ["uvicorn"]
            assert view["wsgi"]["bars"]["server"] == ["gunicorn"]
            gaps = view["asgi"]["gaps"]
            failed = [i for i, status in enumerate(gaps["status"]) if status == "failed"]
            assert [(gaps["server"][i], gaps["framework"][i]) for i in failed] == [FAILED]
            assert len(view["table"]["server"]) == 18


def test_page_is_self_contained(cells):
    html = page.build(cells)
    assert re.findall(r"<script[^>]*\ssrc=|<link[^>]*\shref=", html) == []  # nothing fetched
    assert "cdn.bokeh.org" not in html
    assert len(html) > 1_000_000  # bokeh's JavaScript is inlined


def test_every_metric_has_a_display():
    assert set(page.DISPLAY) == {m.name for m in METRICS}
