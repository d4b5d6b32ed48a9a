"""The published site (asv's pages and the summary page), served over HTTP, in headless Chromium.

The site is what `asv publish` writes from the captured real run in
tests/fixtures/asv-run, in a temporary clone whose two commits stand in for the
run's two (asv draws only commits of the repository's branch). It is served
from 127.0.0.1; every request for another host is aborted and counted.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stackbench import registry
from stackbench.asv import site as asv_site
from stackbench.report import browser
from stackbench.workspace import GIT, clone_working_tree

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "asv-run"
PAIR = ("asgi", "uvicorn", "starlette")  # measured in the captured run
GRAPH = (
    "index.html#bench_pairs.Asgi.track_seconds_per_request?machine=fixture&p-server='uvicorn'"
    "&p-framework='starlette'&p-scenario='plaintext'&p-connections=32"
)
# Points flot drew in #main-graph, per series (finite values only).
PLOTTED = """() => {
  const plot = $('#main-graph').data('plot');
  if (!plot) return null;
  return plot.getData().map((s) => s.data.filter((p) => p[1] !== null && Number.isFinite(p[1])).length);
}"""


def captured_commits() -> list[str]:
    """The captured run's commits, oldest first."""
    found = {}
    for path in (FIXTURE / "results").glob("*/*.json"):
        data = json.loads(path.read_text())
        if "commit_hash" in data:
            found[data["commit_hash"]] = data["date"]
    return sorted(found, key=found.get)


def copy_renamed(source: Path, target: Path, renames: dict[str, str]) -> None:
    """Copy a tree, replacing each old commit hash (whole or 8 characters) in names and JSON text."""

    def renamed(text: str) -> str:
        for old, new in renames.items():
            text = text.replace(old, new).replace(old[:8], new[:8])
        return text

    for path in source.rglob("*"):
        if path.is_file():
            destination = target / renamed(str(path.relative_to(source)))
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(renamed(path.read_text()))


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    clone = tmp_path_factory.mktemp("site")
    clone_working_tree(clone)
    subprocess.run([*GIT, "commit", "-q", "--allow-empty", "-m", "second"], cwd=clone, check=True)
    ours = subprocess.run(["git", "rev-list", "--reverse", "main"], cwd=clone, capture_output=True, text=True,
                          check=True).stdout.split()
    renames = dict(zip(captured_commits(), ours, strict=True))
    copy_renamed(FIXTURE / "results", clone / "results", renames)
    copy_renamed(FIXTURE / "records", clone / "records", renames)
    asv = str(Path(sys.executable).parent / "asv")
    published = subprocess.run([asv, "publish"], cwd=clone, capture_output=True, text=True)
    assert published.returncode == 0, published.stdout + published.stderr
    return clone / "html"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def served(directory: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def visit(site):
    """Open `site`'s pages served on 127.0.0.1; afterwards, nothing went elsewhere and nothing failed."""
    with served(site) as base, browser.browse(base) as opened:
        yield base, opened
        assert opened.blocked == []
        assert opened.missing == []
        assert opened.errors == []
        assert opened.requested and all(url.startswith(base) for url in opened.requested)


def wait_for_graph(page) -> list[int]:
    page.wait_for_function(f"() => {{ const n = ({PLOTTED})(); return n !== null && n.some((c) => c > 0); }}")
    return page.evaluate(PLOTTED)


def test_published_pages_reference_no_other_host(site):
    assert asv_site.external_references(site) == []
    for asset in asv_site.ASSETS:
        assert (site / asset.local).is_file(), asset
    # The pages asv and the summary page are checked for: both are there.
    assert {"index.html", "summary.html"} <= {p.name for p in site.glob("*.html")}


def test_asv_index_renders_its_benchmark_grid(site, visit):
    base, opened = visit
    expected = len(json.loads((site / "index.json").read_text())["benchmarks"])
    opened.page.goto(base + "index.html")
    # One thumbnail per benchmark, each drawn by flot (two commits: a line).
    opened.page.wait_for_function(
        f"() => document.querySelectorAll('#summarygrid-display .benchmark-plot canvas.flot-base').length"
        f" === {expected}")
    assert "continental origin of swallow" not in opened.page.content()
    # Bootstrap's CSS applied: the navigation bar is fixed to the top.
    assert opened.page.eval_on_selector("#nav", "e => getComputedStyle(e).position") == "fixed"


def test_a_track_benchmark_graph_draws_the_pairs_points(site, visit):
    base, opened = visit
    opened.page.goto(base + GRAPH)
    per_series = wait_for_graph(opened.page)
    # Commit 1 on both stacks, commit 2 on the latest one: three points in all.
    assert sum(per_series) == 3, per_series
    assert opened.page.locator("#main-graph canvas.flot-base").count() == 1


def test_the_regressions_page_loads(site, visit):
    base, opened = visit
    opened.page.goto(base + "index.html#/regressions")
    opened.page.wait_for_function("() => document.querySelector('#regressions-body').children.length > 0")
    assert opened.page.locator("#regressions-display").is_visible()
    assert opened.page.locator("#title").inner_text().strip() == "All regressions"


def test_the_benchmark_list_sorts_with_the_vendored_stupidtable(site, visit):
    base, opened = visit
    opened.page.goto(base + "index.html#/summarylist")
    table = opened.page.locator("#summarylist-body table:visible")
    table.locator("tbody tr").first.wait_for()
    names = "t => [...t.querySelectorAll('tbody tr td:first-child')].map(td => td.innerText.trim())"
    # stupidtable sorts in a setTimeout after the click and then fires
    # "aftertablesort": count those, and read the rows only once one has come.
    table.evaluate("t => { window.sorts = 0; $(t).on('aftertablesort', () => window.sorts++); }")

    def sort_by_name(times: int) -> list[str]:
        table.locator("th", has_text="Benchmark").click()
        opened.page.wait_for_function(f"() => window.sorts === {times}")
        return table.evaluate(names)

    # Each click sorts by name, the other way round from the click before.
    once = sort_by_name(1)
    twice = sort_by_name(2)
    assert len(once) > 1 and len(set(once)) == len(once)
    assert once in (sorted(once), sorted(once, reverse=True))
    assert twice == list(reversed(once))


def test_summary_page_links_to_the_pairs_graph_and_asv_links_back(site, visit):
    base, opened = visit
    page = opened.page
    page.goto(base + "summary.html")
    page.wait_for_function(browser.BOKEH_IDLE)
    interface, server, framework = PAIR
    (pair,) = [p for p in registry.pairs(interface) if (p.server.name, p.app.framework) == (server, framework)]
    page.get_by_label("Pair", exact=True).select_option(label=f"{interface.upper()}: {pair.label}")
    page.wait_for_function(
        """([server, framework]) => {
             const text = Bokeh.documents[0].get_model_by_name('asv-graph-link').text;
             return text.includes(`p-server='${server}'`) && text.includes(`p-framework='${framework}'`);
           }""", arg=[server, framework])
    page.locator("a.asv-graph-link").click()
    page.wait_for_url("**/index.html#bench_pairs.Asgi.track_seconds_per_request*")
    assert sum(wait_for_graph(page)) == 3
    # Back: asv's navigation bar links to the summary page (and so does the project name).
    assert page.locator("#project-name").get_attribute("href") == "summary.html"
    page.locator("#nav-li-stackbench-summary a").click()
    page.wait_for_url("**/summary.html")
    page.wait_for_function(browser.BOKEH_IDLE)
