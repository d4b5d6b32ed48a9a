"""The summary page and the PNG export, in a real headless Chromium (no mocks).

Needs Debian's chromium-headless-shell (tools/bootstrap.sh --tests) and
Playwright's Python package; no browser is downloaded and every request that
would leave the machine is blocked and counted.
"""

from __future__ import annotations

import pytest
from PIL import Image

from stackbench import registry
from stackbench.report import browser, page, summary

from .test_page import FIXTURE

pytestmark = pytest.mark.slow

CHARTS = ["wsgi-rps-chart", "wsgi-latency-chart", "asgi-rps-chart", "asgi-latency-chart"]

# Drawn entries of a renderer: those whose screen coordinates are all finite.
# (A bar at 0 on a log axis would have none: counting the source is not enough.)
COUNT_DRAWN = """
(name) => {
  const renderer = Bokeh.documents[0].get_model_by_name(name);
  const glyph = Bokeh.index.find_one(renderer).glyph;
  const columns = [glyph.sleft, glyph.sright, glyph.stop, glyph.sbottom];
  let drawn = 0;
  for (let i = 0; i < columns[0].length; i++) {
    if (columns.every((c) => Number.isFinite(c[i]))) drawn++;
  }
  return drawn;
}
"""
SOURCE = "(name) => Bokeh.documents[0].get_model_by_name(name).data"
SETTLED = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


@pytest.fixture(scope="module")
def cells():
    return summary.collect(FIXTURE / "results", FIXTURE)


@pytest.fixture(scope="module")
def built(cells, tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "summary.html"
    path.write_text(page.build(cells))
    return path


def drawn(opened, name: str) -> int:
    return opened.page.evaluate(COUNT_DRAWN, name)


def source(opened, name: str) -> dict:
    return opened.page.evaluate(SOURCE, name)


def choose(opened, title: str, option: str, watched: str) -> None:
    """Pick the option shown as `option` in the select `title`; wait until `watched` changed."""
    before = opened.page.evaluate(SOURCE, watched)
    opened.page.get_by_label(title, exact=True).select_option(label=option)
    opened.page.wait_for_function(
        "([name, before]) => JSON.stringify(Bokeh.documents[0].get_model_by_name(name).data) !== before",
        arg=[watched, _json(before)],
    )
    opened.page.evaluate(SETTLED)


def _json(data) -> str:
    import json

    return json.dumps(data, separators=(",", ":"))


def test_page_loads_offline_without_errors_and_draws_the_four_charts(built, tmp_path):
    with browser.open_page(built) as opened:
        assert opened.errors == []
        assert opened.blocked == []
        for name in CHARTS:
            assert opened.page.evaluate("(n) => Bokeh.documents[0].get_model_by_name(n) !== null", name)
        # One bar per measured pair of the default view (latest, plaintext).
        assert drawn(opened, "asgi-rps-bars") == 1
        assert drawn(opened, "wsgi-rps-bars") == 1
        assert drawn(opened, "asgi-p50-bars") == drawn(opened, "asgi-p99-bars") == 1
        # Every other registered pair is drawn as a gap.
        assert drawn(opened, "asgi-rps-gaps") == len(registry.pairs("asgi")) - 1
        assert drawn(opened, "wsgi-rps-gaps") == len(registry.pairs("wsgi")) - 1
        gaps = source(opened, "asgi-gaps-source")
        index = [i for i, s in enumerate(gaps["server"]) if s == "daphne" and gaps["framework"][i] == "sanic"][0]
        assert gaps["status"][index] == "failed"
        assert "Loop can only be retrieved" in gaps["reason"][index]
        shot = tmp_path / "page.png"
        opened.page.screenshot(path=str(shot), full_page=True)
    image = Image.open(shot).convert("RGB")
    assert image.width >= 2 * page.CHART_WIDTH
    assert len(image.getcolors(maxcolors=1 << 20) or ()) > 50  # not blank


def test_selectors_change_what_is_plotted(built):
    with browser.open_page(built) as opened:
        latest = source(opened, "asgi-bars-source")["rps"]
        choose(opened, "Stack", "2024-11-23", "asgi-bars-source")
        older = source(opened, "asgi-bars-source")["rps"]
        assert older != latest and len(older) == 1
        assert "2024-11-23" in opened.page.evaluate(
            "() => Bokeh.documents[0].get_model_by_name('about').text"
        )
        assert drawn(opened, "asgi-rps-bars") == 1
        choose(opened, "Scenario", "json", "asgi-bars-source")
        assert source(opened, "asgi-bars-source")["rps"] != older
        assert drawn(opened, "wsgi-rps-bars") == 1
        assert len(source(opened, "table-source")["server"]) == len(registry.pairs())
        assert opened.errors == []


def test_linear_scale_keeps_every_bar(built):
    with browser.open_page(built) as opened:
        opened.page.get_by_text("linear scale").click()
        opened.page.wait_for_function(
            "() => Bokeh.documents[0].get_model_by_name('asgi-rps-chart').y_scale.type === 'LinearScale'"
        )
        opened.page.evaluate(SETTLED)
        assert drawn(opened, "asgi-rps-bars") == 1
        assert drawn(opened, "asgi-rps-gaps") == len(registry.pairs("asgi")) - 1
        assert opened.errors == []


def test_time_view_follows_a_pair_across_stacks_and_commits(built):
    with browser.open_page(built) as opened:
        choose(opened, "Pair", "ASGI: uvicorn + starlette", "history-stacks-source")
        across_stacks = source(opened, "history-stacks-source")
        assert across_stacks["x"] == ["2024-11-23", "latest"]
        assert all(y > 0 for y in across_stacks["y"])
        assert len(source(opened, "history-commits-source")["x"]) == 2  # two commits of latest
        assert opened.errors == []


def test_png_export_writes_the_four_charts(tmp_path):
    from tools.export_charts import export

    written = export(FIXTURE / "results", FIXTURE, tmp_path, machine="fixture", stack="latest",
                     scenario="plaintext", connections=32)
    assert [p.name for p in written] == ["wsgi-rps.png", "wsgi-latency.png", "asgi-rps.png", "asgi-latency.png"]
    for path in written:
        image = Image.open(path)
        assert abs(image.width - page.CHART_WIDTH) <= 1 and abs(image.height - page.CHART_HEIGHT) <= 1
        assert path.stat().st_size > 5000
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 20


@pytest.fixture(scope="module")
def built_with_costs(cells, tmp_path_factory):
    from stackbench.report import costs

    path = tmp_path_factory.mktemp("page-costs") / "summary.html"
    path.write_text(page.build(cells, costs=costs.collect(FIXTURE)))
    return path


def test_cost_view_draws_each_counted_pair_cheapest_first_and_follows_the_selectors(built_with_costs):
    """The fixture's count record (3 pairs): bars with exact counts and versions to hover, per metric."""
    with browser.open_page(built_with_costs) as opened:
        opened.page.wait_for_function(
            "() => Bokeh.documents[0].get_model_by_name('cost-wsgi-source').data.label.length > 0")
        opened.page.evaluate(SETTLED)
        assert opened.errors == [] and opened.blocked == []
        wsgi, asgi = source(opened, "cost-wsgi-source"), source(opened, "cost-asgi-source")
        assert wsgi["label"] == ["gunicorn + raw", "gunicorn + flask"]  # cheapest first
        assert asgi["label"] == ["uvicorn + raw"] and asgi["instructions"] == ["111,318"]
        assert asgi["versions"] == ["uvicorn 0.54.0"] and asgi["requests"] == [1000]
        assert drawn(opened, "cost-wsgi-bars") == 2 and drawn(opened, "cost-asgi-bars") == 1
        choose(opened, "Cost measure", "system calls per request", "cost-asgi-source")
        assert source(opened, "cost-asgi-source")["value"] == [pytest.approx(4.059)]
        choose(opened, "Counted connections", "32", "cost-asgi-source")
        assert source(opened, "cost-asgi-source")["value"] == [pytest.approx(3.439)]
        history = source(opened, "cost-history-source")
        assert history["x"] == ["latest"] and len(history["y"]) == 1
        assert "Every pair of this view was counted" in opened.page.evaluate(
            "() => Bokeh.documents[0].get_model_by_name('cost-missing').text")
        assert opened.errors == []
