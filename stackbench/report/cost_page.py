"""The page's cost view: what each pair costs per request, counted, with no machine in it.

Instructions (and estimated cycles, system calls) per request from the
count records (costs.py): one horizontal bar per pair and interface for a
chosen stack, scenario and concurrency, cheapest first; one pair across the
stacks in date order, the version axis without machine noise; and how well
instructions rank wall-clock time (Spearman), with the pairs where they
part most. Pairs that could not be counted are listed with their reason.

As for the rest of the page, Python computes every view and the page's
JavaScript only picks one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, CustomJS, Div, FactorRange, HoverTool, Select
from bokeh.plotting import figure

from .. import registry
from ..stacks import CURRENT
from .costs import CostCell, RankAgreement, rank_agreement, stacks_by_date
from .summary import Cell

METRICS = {
    "instructions": "instructions per request",
    "estimated_cycles": "estimated cycles per request (Ir + 10 L1 + 100 LL misses)",
    "syscalls": "system calls per request",
}
WIDTH = 640
COLUMNS = ("label", "value", "left", "instructions", "cycles", "syscalls", "versions", "commit", "requests")


def _versions(cell: CostCell) -> str:
    return ", ".join(f"{name} {version}" for name, version in cell.versions.items())


def _text(value: float | None, digits: int = 0) -> str:
    return "not taken" if value is None else f"{value:,.{digits}f}"


def _bars(cells: Sequence[CostCell], metric: str) -> dict[str, list[Any]]:
    counted = sorted((c for c in cells if c.status == "counted" and getattr(c, metric) is not None),
                     key=lambda c: getattr(c, metric))
    values = [getattr(c, metric) for c in counted]
    # Bars start at the power of ten below the cheapest (a log axis has no zero).
    left = 10 ** math.floor(math.log10(min(values))) if values and min(values) > 0 else 1
    return {
        "label": [c.label for c in counted],
        "value": values,
        "left": [left] * len(values),
        "instructions": [_text(c.instructions) for c in counted],
        "cycles": [_text(c.estimated_cycles) for c in counted],
        "syscalls": [_text(c.syscalls, 2) for c in counted],
        "versions": [_versions(c) for c in counted],
        "commit": [c.commit[:8] for c in counted],
        "requests": [c.requests for c in counted],
    }


def _not_counted(cells: Sequence[CostCell]) -> str:
    missing = [c for c in cells if c.status != "counted"]
    if not missing:
        return "<p>Every pair of this view was counted.</p>"
    items = "".join(f"<li><b>{c.interface.upper()} {c.label}</b>: {c.status}: "
                    f"{(c.reason.splitlines() or [''])[0][:300]}</li>" for c in missing)
    return f"<p>Not counted:</p><ul>{items}</ul>"


def view_key(stack: str, scenario: str, connections: int | str, metric: str) -> str:
    return f"{stack}|{scenario}|{connections}|{metric}"


def _views(costs: Sequence[CostCell]) -> dict[str, Any]:
    by_view: dict[tuple[str, str, int], list[CostCell]] = {}
    for cell in costs:
        by_view.setdefault((cell.stack, cell.scenario, cell.connections), []).append(cell)
    views = {}
    for (stack, scenario, connections), cells in by_view.items():
        for metric in METRICS:
            views[view_key(stack, scenario, connections, metric)] = {
                interface: _bars([c for c in cells if c.interface == interface], metric)
                for interface in registry.INTERFACES
            } | {"missing": _not_counted(cells)}
    return views


def _history(costs: Sequence[CostCell], stacks: list[str]) -> dict[str, Any]:
    """Per pair, scenario, connections and metric: its counts across the stacks, oldest first."""
    found: dict[str, dict[str, list[Any]]] = {}
    order = {name: i for i, name in enumerate(stacks)}
    for cell in sorted(costs, key=lambda c: order[c.stack]):
        if cell.status != "counted":
            continue
        for metric in METRICS:
            value = getattr(cell, metric)
            if value is None:
                continue
            key = f"{cell.interface}|{cell.server}|{cell.framework}|{cell.scenario}|{cell.connections}|{metric}"
            series = found.setdefault(key, {"x": [], "y": [], "instructions": [], "syscalls": [], "versions": [],
                                            "commit": []})
            series["x"].append(cell.stack)
            series["y"].append(value)
            series["instructions"].append(_text(cell.instructions))
            series["syscalls"].append(_text(cell.syscalls, 2))
            series["versions"].append(_versions(cell))
            series["commit"].append(cell.commit[:8])
    return found


def agreement_html(found: Sequence[RankAgreement]) -> str:
    """Spearman's coefficient per stack, and the pairs whose two ranks part most."""
    if not found:
        return ("<p>No stack has both counts and wall-clock figures at one connection yet: the rank "
                "agreement shows once it has.</p>")
    parts = []
    for agreement in found:
        rows = "".join(
            f"<tr><td>{d.interface.upper()} {d.label}</td><td>{d.instructions:,.0f}</td><td>{d.instructions_rank}</td>"
            f"<td>{d.microseconds:,.1f}</td><td>{d.time_rank}</td></tr>" for d in agreement.divergent)
        parts.append(
            f"<p><b>{agreement.stack}</b>, {agreement.scenario}: Spearman's rank correlation between instructions "
            f"per request and wall-clock µs per request at 1 connection ({agreement.wall_clock_machine}) over "
            f"{agreement.pairs} pairs: <b>{agreement.spearman:.3f}</b>. Where the ranks part most:</p>"
            "<table><tr><th>pair</th><th>instructions</th><th>rank</th><th>µs (wall)</th><th>rank</th></tr>"
            f"{rows}</table>")
    return "".join(parts) + (
        "<p>Instructions count user space only: a pair ranked much slower by the clock than by its instructions "
        "spends its time where they do not see it (the kernel, its own threads waiting, a Rust or C core "
        "outside the Python interpreter's share, or a stall); one ranked much faster does cheap instructions "
        "(few cache misses) or overlaps work across threads.</p>")


_UPDATE = """
const key = [stack.value, scenario.value, connections.value, metric.value].join('|');
const view = views[key];
for (const name of ['asgi', 'wsgi']) {
  const data = view ? view[name] : {label: [], value: []};
  sources[name].data = Object.assign({}, data);
  charts[name].y_range.factors = data.label.slice();
  charts[name].height = Math.max(160, 22 * data.label.length + 60);
  charts[name].below[0].axis_label = labels[metric.value];
}
missing.text = view ? view.missing : '<p>Nothing counted for this choice.</p>';
const series = history[[pair.value, scenario.value, connections.value, metric.value].join('|')]
  || {x: [], y: [], instructions: [], syscalls: [], versions: [], commit: []};
history_source.data = Object.assign({}, series);
history_chart.left[0].axis_label = labels[metric.value];
"""


def cost_view(costs: Sequence[CostCell], cells: Sequence[Cell] = ()):
    """The cost section of the page, and the callback to run once the document is ready (or None)."""
    if not costs:
        return Div(text="<h2>Cost per request, counted</h2><p>No counts yet: <code>asv run --machine "
                        "\"$(.venv/bin/python -m stackbench.machine --counts)\" -b bench_counts</code>.</p>",
                   name="cost-section"), None
    stacks = stacks_by_date(costs)
    views = _views(costs)
    history = _history(costs, stacks)
    levels = sorted({str(c.connections) for c in costs}, key=int)
    scenarios = sorted({c.scenario for c in costs})
    selects = dict(
        stack=Select(title="Counted stack", options=stacks, value=CURRENT if CURRENT in stacks else stacks[-1],
                     name="cost-stack-select"),
        scenario=Select(title="Counted scenario", options=scenarios,
                        value="plaintext" if "plaintext" in scenarios else scenarios[0], name="cost-scenario-select"),
        connections=Select(title="Counted connections", options=levels, value=levels[0],
                           name="cost-connections-select"),
        metric=Select(title="Cost measure", options=list(METRICS.items()), value="instructions", name="cost-metric-select"),
    )
    counted_pairs = sorted({(c.interface, c.server, c.framework) for c in costs if c.status == "counted"})
    first = counted_pairs[0] if counted_pairs else ("asgi", "uvicorn", "raw")
    pair = Select(title="Counted pair", name="cost-pair-select", value="|".join(first),
                  options=[("|".join(p), f"{p[0].upper()}: {p[1]} + {p[2]}") for p in counted_pairs])
    sources, charts = {}, {}
    tooltips = [("pair", "@label"), ("instructions", "@instructions"), ("estimated cycles", "@cycles"),
                ("system calls", "@syscalls"), ("versions", "@versions"), ("commit", "@commit"),
                ("requests counted", "@requests")]
    for interface in registry.INTERFACES:
        source = ColumnDataSource({name: [] for name in COLUMNS}, name=f"cost-{interface}-source")
        chart = figure(title=f"{interface.upper()}: cost per request, cheapest first", y_range=FactorRange(),
                       x_axis_type="log", width=WIDTH, height=400, name=f"cost-{interface}-chart",
                       toolbar_location=None)
        chart.hbar(y="label", right="value", left="left", height=0.7, source=source, name=f"cost-{interface}-bars")
        chart.add_tools(HoverTool(tooltips=tooltips))
        sources[interface], charts[interface] = source, chart
    history_source = ColumnDataSource({"x": [], "y": [], "instructions": [], "syscalls": [], "versions": [],
                                       "commit": []}, name="cost-history-source")
    history_chart = figure(title="one pair across stacks, oldest first", x_range=FactorRange(*stacks),
                           width=WIDTH, height=300, name="cost-history-chart", toolbar_location=None)
    history_chart.line("x", "y", source=history_source)
    history_chart.scatter("x", "y", source=history_source, size=9)
    history_chart.add_tools(HoverTool(tooltips=[("stack", "@x"), ("instructions", "@instructions"),
                                                ("system calls", "@syscalls"), ("versions", "@versions"),
                                                ("commit", "@commit")]))
    missing = Div(width=2 * WIDTH, name="cost-missing")
    agreements = [a for a in (rank_agreement(costs, cells, stack) for stack in stacks) if a is not None]
    update = CustomJS(args=dict(views=views, history=history, sources=sources, charts=charts, missing=missing,
                                history_source=history_source, history_chart=history_chart, pair=pair,
                                labels=METRICS, **selects), code=_UPDATE)
    for widget in (*selects.values(), pair):
        widget.js_on_change("value", update)
    layout = column(
        Div(width=2 * WIDTH, text=(
            "<h2>Cost per request, counted</h2><p>Each pair served under valgrind's Callgrind: after a warm-up, "
            "exactly N requests from a fixed-count keep-alive client, every response checked; the instructions "
            "(and system calls) of the server's serving processes, divided by N. Counts do not depend on the "
            "machine's speed or load: the same commit and stack count alike on any host of the same architecture, "
            "valgrind and Python build, so a 1% change is a real change. Hover a bar for the exact counts and "
            "versions.</p>")),
        row(*selects.values()),
        row(charts["wsgi"], charts["asgi"]),
        missing,
        row(pair),
        history_chart,
        Div(width=2 * WIDTH, text="<h3>Is the proxy honest?</h3>" + agreement_html(agreements),
            name="cost-agreement"),
        name="cost-section",
    )
    return layout, update
