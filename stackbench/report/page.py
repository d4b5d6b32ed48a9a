"""The summary page: the original study's four charts, done right, in bokeh.

WSGI requests/s, WSGI latency, ASGI requests/s, ASGI latency: bars grouped by
framework, one per server, on a log scale by default. Beyond the study:
whiskers from the lowest to the highest repeat, p50 and p99 latency, stack,
scenario (and machine) selectors, hover text with exact figures and versions,
failed and skipped pairs drawn as such with their reason, a time view of one
pair across stacks and across commits, and a sortable table.

Python computes every view; the page's JavaScript only picks one. Everything
is inlined (bokeh's JavaScript too), so the file works from file:// and from
any static host, with no network.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bokeh.document import Document
from bokeh.embed import file_html
from bokeh.layouts import column, gridplot, row
from bokeh.models import (
    BasicTicker,
    ColumnDataSource,
    CustomJS,
    DataTable,
    Div,
    FactorRange,
    FixedTicker,
    HoverTool,
    HTMLTemplateFormatter,
    LinearScale,
    NumberFormatter,
    NumeralTickFormatter,
    RadioButtonGroup,
    Range1d,
    Select,
    TableColumn,
    Whisker,
)
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from bokeh.resources import INLINE
from bokeh.transform import dodge, factor_cmap

from .. import registry
from ..errors import ConfigError
from ..serve.contract import SCENARIOS
from ..session import reference
from ..stacks import CURRENT
from .cost_page import cost_view
from .costs import CostCell
from .summary import Cell, Run, current, reference_shift, stacks_by_date

TITLE = "Python web servers x frameworks"
CHART_WIDTH, CHART_HEIGHT = 640, 400
# The selectors that pick a view, in the order of its key (`_key`).
SELECTS = ("machine", "stack", "scenario", "connections")
# How far the reference may move between runs before a time view of raw
# throughput would show the machine's drift: docs/noise.md measures it.
REFERENCE_NOISE = 0.05

GAP_COLORS = {"failed": "#d62728", "skipped": "#7f7f7f", "client-bound": "#9467bd", "missing": "#bcbd22"}


@dataclass(frozen=True)
class Display:
    """How a metric is shown: asv tracks lower-is-better, people read rates."""

    label: str
    convert: Callable[[float], float]


DISPLAY = {
    "seconds_per_request": Display("requests per second", lambda v: 1.0 / v),
    "normalized_seconds_per_request": Display(
        f"requests per second, x {reference.NORMALIZER}'s", lambda v: 1.0 / v),
    "latency_p50": Display("latency p50 (ms)", lambda v: v * 1e3),
    "latency_p99": Display("latency p99 (ms)", lambda v: v * 1e3),
    "cpu_seconds_per_request": Display("server CPU per request (µs)", lambda v: v * 1e6),
    "peak_memory": Display("server peak memory (MiB)", lambda v: v / 2**20),
}


def _shown(cell: Cell, metric: str) -> tuple[float, float, float]:
    """(value, low, high) of a measured cell's metric, in display units.

    Converting may swap low and high (requests/s is 1 / seconds per request).
    """
    display = DISPLAY[metric]
    value = display.convert(cell.values[metric])
    low, high = sorted(display.convert(x) for x in cell.spreads.get(metric, (cell.values[metric],) * 2))
    return value, low, high


def _columns(rows: list[dict[str, Any]], keys: list[str]) -> dict[str, list[Any]]:
    """Rows to the column dict a ColumnDataSource holds."""
    return {key: [row[key] for row in rows] for key in keys}


def _versions(cell: Cell) -> str:
    return ", ".join(f"{name} {version}" for name, version in cell.versions.items()) or "not recorded"


def _factors(interface: str) -> list[tuple[str, str]]:
    """The (framework, server) of every registered pair: a pair never vanishes from a chart,
    and a combination the registry never pairs (sanic's server with another app) never shows."""
    return [(p.app.framework, p.server.name) for p in registry.pairs(interface)]


BAR_COLUMNS = [
    "x", "server", "framework", "rps", "rps_low", "rps_high", "p50", "p50_low", "p50_high",
    "p99", "p99_low", "p99_high", "cpu_us", "memory_mib", "versions", "commit", "spread",
]
GAP_COLUMNS = ["x", "server", "framework", "status", "reason", "color"]


def _bar(cell: Cell) -> dict[str, Any]:
    row: dict[str, Any] = {"x": [cell.framework, cell.server], "server": cell.server, "framework": cell.framework}
    for prefix, metric in (("rps", "seconds_per_request"), ("p50", "latency_p50"), ("p99", "latency_p99")):
        row[prefix], row[f"{prefix}_low"], row[f"{prefix}_high"] = _shown(cell, metric)
    row["cpu_us"] = _shown(cell, "cpu_seconds_per_request")[0]
    row["memory_mib"] = _shown(cell, "peak_memory")[0]
    row["versions"] = _versions(cell)
    row["commit"] = cell.run.commit[:8]
    row["spread"] = "lowest to highest launch" if cell.spreads else "launches not recorded"
    return row


def _status(cell: Cell | None) -> tuple[str, str]:
    """A pair's status and reason in a view; a pair the run has no result for is "missing"."""
    return (cell.status, cell.reason) if cell else ("missing", "no result for this pair in this run")


def _gap(factor: tuple[str, str], cell: Cell | None) -> dict[str, Any]:
    status, reason = _status(cell)
    return {"x": list(factor), "server": factor[1], "framework": factor[0], "status": status,
            "reason": reason, "color": GAP_COLORS[status]}


def _view(cells: list[Cell], interface: str) -> dict[str, Any]:
    """The data of one interface's two charts for one machine, stack, scenario."""
    by_factor = {(c.framework, c.server): c for c in cells if c.interface == interface}
    bars, gaps = [], []
    for factor in _factors(interface):
        cell = by_factor.get(factor)
        if cell is not None and cell.status == "measured":
            bars.append(_bar(cell))
        else:
            gaps.append(_gap(factor, cell))
    return {
        "bars": _columns(bars, BAR_COLUMNS),
        "gaps": _columns(gaps, GAP_COLUMNS),
        "rps": _ranges([v for b in bars for v in (b["rps_low"], b["rps_high"])]),
        "latency": _ranges([v for b in bars for v in (b["p50_low"], b["p99_high"])]),
    }


def _ranges(values: list[float]) -> dict[str, dict[str, float]]:
    """The y range for each scale: where bars start, where they end, where gap labels sit.

    On a log axis a bar needs a bottom above zero (bokeh draws nothing from 0).
    """
    positive = [v for v in values if v > 0]
    low, high = (min(positive), max(positive)) if positive else (1.0, 10.0)
    start, end = low / 2, high * 2
    return {
        "log": {"start": start, "end": end, "bottom": start, "label": math.sqrt(start * end),
                "ticks": _log_ticks(start, end)},
        "linear": {"start": 0.0, "end": high * 1.1, "bottom": 0.0, "label": high * 0.55},
    }


def _log_ticks(start: float, end: float) -> list[float]:
    """1, 2 and 5 times each power of ten in the range: readable on a short log axis."""
    ticks = []
    for exponent in range(math.floor(math.log10(start)), math.ceil(math.log10(end)) + 1):
        ticks += [m * 10.0**exponent for m in (1, 2, 5) if start <= m * 10.0**exponent <= end]
    return ticks


TABLE_COLUMNS = ["interface", "framework", "server", "status", "rps", "p50", "p99", "cpu_us", "memory_mib",
                 "versions", "reason"]


def _table(cells: list[Cell]) -> dict[str, list[Any]]:
    """One row per registered pair; a pair the run has no result for says so."""
    by_pair = {(c.interface, c.framework, c.server): c for c in cells}
    rows = []
    for interface, framework, server in sorted(
        {(i, f, s) for i in registry.INTERFACES for f, s in _factors(i)} | set(by_pair)
    ):
        cell = by_pair.get((interface, framework, server))
        status, reason = _status(cell)
        row = {"interface": interface.upper(), "framework": framework, "server": server,
               "status": status, "versions": _versions(cell) if cell else "", "reason": reason}
        measured = _bar(cell) if cell and cell.status == "measured" else {}
        for name in ("rps", "p50", "p99", "cpu_us", "memory_mib"):
            row[name] = measured.get(name)  # None: an empty table cell
        rows.append(row)
    return _columns(rows, TABLE_COLUMNS)


STATUSES = ("measured", "failed", "skipped", "client-bound")


def _switch_words(switch: dict) -> str:
    """What the calibration switch added, as its record says (records before fixed work hold a spin)."""
    if "extra_iterations" in switch:
        return f"{switch['framework']} apps add {switch['extra_iterations']:,} loop iterations per request"
    return f"{switch['framework']} apps burn {switch['extra_cpu_microseconds']:.1f} µs per request"


def _describe_references(run: Run) -> str:
    """The references read alongside a run: the machine's speed at that time."""
    if not run.references:
        return "no reference readings recorded"
    shown = []
    for candidate in reference.REFERENCES:
        seconds = run.references.get(candidate.name)
        if seconds is None:
            continue
        figure = (f"{seconds * 1e9:,.0f} ns per iteration" if candidate.kind == "loop"
                  else f"{1 / seconds:,.0f} req/s")
        shown.append(f"{candidate.name} {figure}")
    return "references: " + ", ".join(shown)


def _describe_run(cells: list[Cell], sensitivity: dict[str, str]) -> str:
    if not cells:
        return "<p>No results for this selection.</p>"
    run = cells[0].run
    as_of = f", packages as of {run.as_of}" if run.as_of else ""
    counts = {s: sum(c.status == s for c in cells) for s in STATUSES}
    measured_at = f", measured {run.measured_at:%Y-%m-%d %H:%M} UTC" if run.measured_at else ""
    detectable = sensitivity.get(run.machine.name)
    switch = run.calibration
    calibrated = f" <b>Calibration switch on</b>: {_switch_words(switch)}." if switch else ""
    return (
        f"<p>Stack <b>{run.stack}</b>{as_of}; commit <code>{run.commit[:8]}</code>{measured_at} on "
        f"{run.machine.describe()}, Python {run.python}; {run.profile}. {_describe_references(run)}. "
        + ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "client-bound") + f".{calibrated}</p>"
        + (f"<p><b>{detectable}</b></p>" if detectable else "")
    )


def _key(machine: str, stack: str, scenario: str, connections: int | str) -> str:
    return f"{machine}|{stack}|{scenario}|{connections}"


def _views(cells: list[Cell], sensitivity: dict[str, str] | None = None) -> dict[str, Any]:
    views = {}
    newest = current(cells)
    for machine in sorted({c.run.machine.name for c in newest}):
        for stack in sorted({c.run.stack for c in newest}):
            for scenario in (s.name for s in SCENARIOS):
                for connections in sorted({c.connections for c in newest}):
                    chosen = [
                        c for c in newest
                        if c.run.machine.name == machine and c.run.stack == stack and c.scenario == scenario
                        and c.connections == connections
                    ]
                    if not chosen:
                        continue
                    views[_key(machine, stack, scenario, connections)] = {
                        **{interface: _view(chosen, interface) for interface in registry.INTERFACES},
                        "table": _table(chosen),
                        "about": _describe_run(chosen, sensitivity or {}),
                    }
    return views


def _history_key(cell: Cell) -> str:
    return "|".join((cell.run.machine.name, cell.interface, cell.server, cell.framework, cell.scenario,
                     str(cell.connections)))


def _series(cells: list[Cell], metric: str) -> tuple[list[Cell], str, str]:
    """The metric a time view of `cells` shows, and a note when it is not the one asked for.

    Raw throughput of runs whose reference moved by more than the noise would
    draw the machine's drift as the code's: such a view shows the normalized
    metric instead, and says so.
    """
    cells = [c for c in cells if metric in c.values]  # runs of the first suite have no normalized metric
    shift = reference_shift([c.run for c in cells])
    if metric == "seconds_per_request" and shift > REFERENCE_NOISE:
        normalized = "normalized_seconds_per_request"
        if all(normalized in c.values for c in cells):
            note = (f"the reference ({reference.NORMALIZER}) moved {shift:.0%} between these runs: "
                    f"showing {DISPLAY[normalized].label}")
            return cells, normalized, note
        return cells, metric, f"the reference moved {shift:.0%} between these runs: read with care"
    return cells, metric, ""


def _history(cells: list[Cell], stacks: list[str]) -> dict[str, Any]:
    """Per machine, pair, workload and metric: values across stacks, and across commits per settings."""
    measured = [c for c in cells if c.status == "measured"]
    newest = {id(c) for c in current(cells)}
    grouped: dict[str, list[Cell]] = {}
    for cell in measured:
        grouped.setdefault(_history_key(cell), []).append(cell)
    history: dict[str, Any] = {}
    for key, group in grouped.items():
        entry = history.setdefault(key, {})
        across_stacks = sorted((c for c in group if id(c) in newest), key=lambda c: stacks.index(c.run.stack))
        by_series: dict[str, list[Cell]] = {}
        for cell in sorted(group, key=lambda c: c.run.date):
            by_series.setdefault(f"{cell.run.stack}|{cell.run.profile}", []).append(cell)
        for metric in DISPLAY:
            chosen, shown, note = _series(across_stacks, metric)
            series: dict[str, Any] = {
                "stacks": [[c.run.stack, *_shown(c, shown), c.run.commit[:8], _versions(c)] for c in chosen],
                "stacks_note": note,
                "commits": {},
            }
            for name, runs in by_series.items():
                chosen, shown, note = _series(runs, metric)
                series["commits"][name] = {
                    "points": [[f"{c.run.commit[:8]} {c.run.date:%Y-%m-%d}", *_shown(c, shown)] for c in chosen],
                    "note": note,
                }
            entry[metric] = series
    return history


def _profiles(cells: list[Cell]) -> list[str]:
    """The settings signatures of the runs, the newest run's first."""
    ordered = sorted(cells, key=lambda c: c.run.measured_at or c.run.date, reverse=True)
    return list(dict.fromkeys(c.run.profile for c in ordered))


# One colour per server name, the same in every chart.
SERVER_COLORS = {
    name: Category10_10[i % 10] for i, name in enumerate(dict.fromkeys(s.name for s in registry.SERVERS))
}

BAR_TOOLTIPS = [
    ("pair", "@server + @framework"),
    ("requests/s", "@rps{0,0} (@rps_low{0,0} to @rps_high{0,0}: @spread)"),
    ("latency p50", "@p50{0,0.000} ms (@p50_low{0,0.000} to @p50_high{0,0.000})"),
    ("latency p99", "@p99{0,0.000} ms (@p99_low{0,0.000} to @p99_high{0,0.000})"),
    ("server CPU per request", "@cpu_us{0,0.0} µs"),
    ("server peak memory", "@memory_mib{0,0.0} MiB"),
    ("versions", "@versions"),
    ("commit", "@commit"),
]
GAP_TOOLTIPS = [("pair", "@server + @framework"), ("status", "@status"), ("reason", "@reason")]


def _chart(title: str, interface: str, y_label: str, *, toolbar: bool, name: str):
    fig = figure(
        title=title,
        x_range=FactorRange(*_factors(interface), group_padding=0.6),
        y_range=Range1d(1, 10),
        y_axis_type="log",
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        toolbar_location="above" if toolbar else None,
        tools="pan,wheel_zoom,box_zoom,reset,save",
        name=name,
        output_backend="canvas",
    )
    fig.yaxis.axis_label = f"{y_label} (log)"
    fig.yaxis.ticker = FixedTicker(ticks=[])  # set per view: _log_ticks
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0.[000]")
    fig.xaxis.major_label_orientation = 0.9
    fig.xgrid.grid_line_color = None
    return fig


def _server_colors(interface: str):
    names = [s.name for s in registry.servers(interface)]
    return factor_cmap("x", [SERVER_COLORS[n] for n in names], names, start=1, end=2)


@dataclass
class _Charts:
    """One interface's two charts and the models the page's callback changes."""

    rps: Any
    latency: Any
    bars: ColumnDataSource
    gaps: ColumnDataSource
    bar_renderers: dict[str, list[Any]]
    gap_renderers: dict[str, Any]
    label_renderers: dict[str, Any]

    def for_callback(self) -> dict[str, Any]:
        """The same models, plus each chart's two scales and tickers."""
        models: dict[str, Any] = dict(
            rps=self.rps, latency=self.latency, bars=self.bars, gaps=self.gaps,
            bar_renderers=self.bar_renderers, gap_renderers=self.gap_renderers,
            label_renderers=self.label_renderers, scales={}, tickers={},
        )
        for kind, chart in (("rps", self.rps), ("latency", self.latency)):
            axis = chart.left[0]
            models["scales"][kind] = {"log": chart.y_scale, "linear": LinearScale()}
            models["tickers"][kind] = {"log": axis.ticker, "linear": BasicTicker()}
        return models

    def show(self, view: dict[str, Any]) -> None:
        """Put a view on the log-scale charts (what the callback does in the page)."""
        self.bars.data = view["bars"]
        self.gaps.data = view["gaps"]
        for kind, chart in (("rps", self.rps), ("latency", self.latency)):
            limits = view[kind]["log"]
            chart.y_range.start, chart.y_range.end = limits["start"], limits["end"]
            chart.left[0].ticker.ticks = limits["ticks"]
            for bar in self.bar_renderers[kind]:
                bar.glyph.bottom = limits["bottom"]
            self.gap_renderers[kind].glyph.bottom = limits["bottom"]
            self.gap_renderers[kind].glyph.top = limits["end"]
            self.label_renderers[kind].glyph.y = limits["label"]


def _interface_charts(interface: str, view: dict[str, Any], *, toolbar: bool) -> _Charts:
    """Requests/s and latency charts of one interface, showing `view`."""
    upper = interface.upper()
    bars = ColumnDataSource(view["bars"], name=f"{interface}-bars-source")
    gaps = ColumnDataSource(view["gaps"], name=f"{interface}-gaps-source")
    rps = _chart(f"{upper} servers: requests per second", interface, "requests per second",
                 toolbar=toolbar, name=f"{interface}-rps-chart")
    latency = _chart(f"{upper} servers: latency, p50 (solid) and p99 (pale)", interface, "latency, ms",
                     toolbar=toolbar, name=f"{interface}-latency-chart")
    colors = _server_colors(interface)
    rps_bars = rps.vbar(x="x", top="rps", bottom=1, width=0.8, source=bars, fill_color=colors,
                        line_color="white", name=f"{interface}-rps-bars")
    rps.add_layout(Whisker(source=bars, base="x", lower="rps_low", upper="rps_high"))
    latency_bars = []
    for offset, percentile, alpha in ((-0.2, "p50", 1.0), (0.2, "p99", 0.45)):
        base = dodge("x", offset, range=latency.x_range)
        latency_bars.append(latency.vbar(
            x=base, top=percentile, bottom=1, width=0.38, source=bars, fill_color=colors,
            fill_alpha=alpha, line_color="white", name=f"{interface}-{percentile}-bars",
        ))
        latency.add_layout(Whisker(source=bars, base=base, lower=f"{percentile}_low",
                                   upper=f"{percentile}_high"))
    rps.add_tools(HoverTool(renderers=[rps_bars], tooltips=BAR_TOOLTIPS))
    latency.add_tools(HoverTool(renderers=latency_bars, tooltips=BAR_TOOLTIPS))
    gap_renderers, label_renderers = {}, {}
    for kind, chart in (("rps", rps), ("latency", latency)):
        # A failed, skipped or missing pair: a hatched column the height of the
        # chart, labelled with its status; never a zero or an absent bar.
        gap_renderers[kind] = chart.vbar(
            x="x", top=10, bottom=1, width=0.8, source=gaps, fill_color="color", fill_alpha=0.12,
            line_color="color", hatch_pattern="/", hatch_color="color", hatch_alpha=0.4,
            name=f"{interface}-{kind}-gaps",
        )
        label_renderers[kind] = chart.text(
            x="x", y=3, text="status", source=gaps, angle=math.pi / 2, text_align="center",
            text_baseline="middle", text_color="color", text_font_size="12px",
            name=f"{interface}-{kind}-gap-labels",
        )
        chart.add_tools(HoverTool(renderers=[gap_renderers[kind]], tooltips=GAP_TOOLTIPS))
    charts = _Charts(rps, latency, bars, gaps, {"rps": [rps_bars], "latency": latency_bars},
                     gap_renderers, label_renderers)
    charts.show(view)
    return charts


# Sets the chosen view's data, its y ranges and the y scale (log or linear).
_UPDATE_CHARTS = """
const key = [machine.value, stack.value, scenario.value, connections.value].join("|");
const view = views[key];
if (view === undefined) { about.text = "<p>No results for " + key + ".</p>"; return; }
const mode = scale.active === 0 ? "log" : "linear";
for (const [name, charts] of Object.entries(interfaces)) {
  const data = view[name];
  charts.bars.data = data.bars;
  charts.gaps.data = data.gaps;
  for (const kind of ["rps", "latency"]) {
    const chart = charts[kind];
    const range = data[kind][mode];
    chart.y_range.setv({start: range.start, end: range.end});
    chart.y_scale = charts.scales[kind][mode];
    const axis = chart.left[0];
    if (mode === "log") charts.tickers[kind].log.ticks = range.ticks;
    axis.ticker = charts.tickers[kind][mode];
    axis.axis_label = axis.axis_label.replace(/\\((log|linear)\\)$/, "(" + mode + ")");
    for (const bar of charts.bar_renderers[kind]) {
      bar.glyph.bottom = range.bottom;
    }
    charts.gap_renderers[kind].glyph.setv({bottom: range.bottom, top: range.end});
    charts.label_renderers[kind].glyph.y = range.label;
  }
}
table.data = view.table;
about.text = view.about;
"""

# Shows one pair's metric across stacks (date order) and across commits of one
# stack measured with one set of settings (never joined with other settings).
_UPDATE_HISTORY = """
const key = [machine.value, pair.value, scenario.value, connections.value].join("|");
const series = (history[key] || {})[metric.value];
const across = {x: [], y: [], low: [], high: [], commit: [], versions: []};
const commits = {x: [], y: [], low: [], high: [], commit: [], versions: []};
let stacks_note = "", commits_note = "";
if (series !== undefined) {
  for (const point of series.stacks) {
    across.x.push(point[0]); across.y.push(point[1]); across.low.push(point[2]);
    across.high.push(point[3]); across.commit.push(point[4]); across.versions.push(point[5]);
  }
  stacks_note = series.stacks_note;
  const chosen = series.commits[stack.value + "|" + profile.value] || {points: [], note: ""};
  for (const point of chosen.points) {
    commits.x.push(point[0]); commits.y.push(point[1]); commits.low.push(point[2]);
    commits.high.push(point[3]); commits.commit.push(point[0]); commits.versions.push("");
  }
  commits_note = chosen.note;
}
stacks_chart.x_range.factors = across.x;
commits_chart.x_range.factors = commits.x;
stacks_source.data = across;
commits_source.data = commits;
const label = metric_labels[metric.value];
stacks_chart.left[0].axis_label = label;
commits_chart.left[0].axis_label = label;
stacks_chart.title.text = "across stacks, oldest first" + (stacks_note ? " (" + stacks_note + ")" : "");
commits_chart.title.text = "across commits of stack " + stack.value + ", " + profile.value
  + (commits_note ? " (" + commits_note + ")" : "");
// The same pair, metric, scenario and connections in asv's graph (graphdisplay.js reads
// parameter values as benchmarks.json writes them: repr() of each value).
const [interface_name, server, framework] = pair.value.split("|");
const query = [["machine", machine.value], ["p-server", "'" + server + "'"],
               ["p-framework", "'" + framework + "'"], ["p-scenario", "'" + scenario.value + "'"],
               ["p-connections", connections.value]]
  .map(([k, v]) => encodeURIComponent(k) + "=" + encodeURIComponent(v)).join("&");
asv_link.text = '<a class="asv-graph-link" href="index.html#' + asv_suites[interface_name] + ".track_"
  + metric.value + "?" + query + '">This pair in asv: its graph over every commit and stack</a>';
"""


def _time_view(stacks: list[str], history: dict[str, Any], selects: dict[str, Select], profiles: list[str]):
    """One pair's chosen metric across stacks (date order) and across commits."""
    pairs = registry.pairs()
    pair_select = Select(
        title="Pair",
        options=[(f"{p.app.interface}|{p.server.name}|{p.app.framework}",
                  f"{p.app.interface.upper()}: {p.label}") for p in pairs],
        value=f"{pairs[0].app.interface}|{pairs[0].server.name}|{pairs[0].app.framework}",
        name="pair-select",
    )
    metric_select = Select(title="Metric", options=[(name, d.label) for name, d in DISPLAY.items()],
                           value="seconds_per_request", name="metric-select")
    # Runs measured with other settings are another series, never joined into one line.
    profile_select = Select(title="Settings (across commits)", options=profiles or ["unknown settings"],
                            value=(profiles or ["unknown settings"])[0], name="profile-select")
    empty: dict[str, list[Any]] = {"x": [], "y": [], "low": [], "high": [], "commit": [], "versions": []}
    stacks_source = ColumnDataSource(dict(empty), name="history-stacks-source")
    commits_source = ColumnDataSource(dict(empty), name="history-commits-source")
    stacks_chart = figure(title="across stacks, oldest first", x_range=FactorRange(*stacks),
                          width=CHART_WIDTH, height=300, name="history-stacks-chart")
    commits_chart = figure(title="across commits", x_range=FactorRange(),
                           width=CHART_WIDTH, height=300, name="history-commits-chart")
    commits_chart.xaxis.major_label_orientation = 0.6
    tooltips = [("value", "@y{0,0.000} (@low{0,0.000} to @high{0,0.000})"), ("commit", "@commit"),
                ("versions", "@versions")]
    for chart, source in ((stacks_chart, stacks_source), (commits_chart, commits_source)):
        chart.line("x", "y", source=source)
        chart.scatter("x", "y", source=source, size=9)
        chart.add_layout(Whisker(source=source, base="x", lower="low", upper="high"))
        chart.add_tools(HoverTool(tooltips=tooltips))
    asv_link = Div(name="asv-graph-link")
    callback = CustomJS(
        args=dict(history=history, pair=pair_select, metric=metric_select, profile=profile_select,
                  asv_link=asv_link, asv_suites=ASV_SUITES,
                  stacks_source=stacks_source,
                  commits_source=commits_source, stacks_chart=stacks_chart, commits_chart=commits_chart,
                  metric_labels={name: d.label for name, d in DISPLAY.items()}, **selects),
        code=_UPDATE_HISTORY,
    )
    for widget in (*selects.values(), pair_select, metric_select, profile_select):
        widget.js_on_change("value", callback)
    layout = column(
        Div(text="<h2>One pair over time</h2><p>Whiskers: lowest and highest launch. Across runs whose "
                 "reference moved by more than the noise, requests per second are shown relative to the "
                 "reference, and the title says so.</p>"),
        row(pair_select, metric_select, profile_select),
        asv_link,
        row(stacks_chart, commits_chart),
    )
    return layout, callback


# asv's name for each interface's benchmark class (benchmarks/bench_pairs.py).
ASV_SUITES = {interface: f"bench_pairs.{interface.capitalize()}" for interface in registry.INTERFACES}


# The study's order: WSGI requests/s, WSGI latency, ASGI requests/s, ASGI latency.
STUDY_ORDER = ("wsgi", "asgi")


def _study_charts(view: dict[str, Any], *, toolbar: bool) -> dict[str, _Charts]:
    return {interface: _interface_charts(interface, view[interface], toolbar=toolbar) for interface in STUDY_ORDER}


def _in_study_order(charts: dict[str, _Charts]) -> list[Any]:
    return [figure for interface in STUDY_ORDER for figure in (charts[interface].rps, charts[interface].latency)]


def _selectors(views: dict[str, Any], stacks: list[str]) -> dict[str, Select]:
    machines = sorted({key.split("|")[0] for key in views})
    levels = sorted({key.split("|")[3] for key in views}, key=int)
    return {
        # Shown only when results from more than one machine exist.
        "machine": Select(title="Machine", options=machines, value=machines[0], name="machine-select",
                          visible=len(machines) > 1),
        "stack": Select(title="Stack", options=stacks, value=CURRENT if CURRENT in stacks else stacks[-1],
                        name="stack-select"),
        "scenario": Select(title="Scenario", options=[s.name for s in SCENARIOS], value="plaintext",
                           name="scenario-select"),
        "connections": Select(title="Connections", options=levels, value=levels[-1], name="connections-select",
                              visible=len(levels) > 1),
    }


def _no_results(title: str) -> str:
    return file_html(Div(text=f"<h1>{title}</h1><p>No results yet: run <code>asv run</code>.</p>"),
                     resources=INLINE, title=title)


def build(cells: list[Cell], *, title: str = TITLE, sensitivity: dict[str, str] | None = None,
          costs: Sequence[CostCell] = ()) -> str:
    """The whole page as one self-contained HTML string.

    `sensitivity`: per machine, what tools/sensitivity.py found it can detect;
    `costs`: the counts per request (costs.collect), drawn in the cost view.
    """
    views = _views(cells, sensitivity)
    if not views:
        return _no_results(title)
    stacks = stacks_by_date(cells)
    selects = _selectors(views, stacks)
    first = views[_key(*(selects[k].value for k in SELECTS))]
    scale = RadioButtonGroup(labels=["log scale", "linear scale"], active=0, name="scale-toggle")
    interfaces = _study_charts(first, toolbar=True)
    table_source = ColumnDataSource(first["table"], name="table-source")
    table = DataTable(source=table_source, columns=_table_columns(), sortable=True,
                      width=2 * CHART_WIDTH, height=560, index_position=None, name="summary-table")
    about = Div(text=first["about"], width=2 * CHART_WIDTH, name="about")
    update = CustomJS(
        args=dict(views=views, scale=scale, table=table_source, about=about,
                  interfaces={name: c.for_callback() for name, c in interfaces.items()}, **selects),
        code=_UPDATE_CHARTS,
    )
    for widget in selects.values():
        widget.js_on_change("value", update)
    scale.js_on_change("active", update)
    time_view, history_update = _time_view(stacks, _history(cells, stacks), selects, _profiles(cells))
    cost_section, cost_update = cost_view(costs, cells)
    header = Div(width=2 * CHART_WIDTH, text=(
        f"<h1>{title}</h1><p>Hello-world apps served by each server with one worker, loaded by wrk "
        "from another CPU. A sample is one server launch; bars: the median of the launches; whiskers: "
        "the lowest and highest launch. A pair that failed, was skipped or was client-bound (wrk, not the "
        "server, was the limit) is drawn as such; hover for its reason. Figures are comparable only "
        "with figures of the same machine and session; the references say how fast the machine was. "
        '<a href="index.html">asv: every benchmark\'s history and regressions</a></p>'
    ))
    grid = gridplot(_in_study_order(interfaces), ncols=2, toolbar_location="right")
    document = Document()
    document.add_root(column(
        header,
        row(*selects.values(), scale),
        about,
        grid,
        Div(text="<h2>All pairs</h2><p>Click a column title to sort.</p>"),
        table,
        time_view,
        cost_section,
        name="summary-layout",
    ))
    document.js_on_event("document_ready", history_update)
    if cost_update is not None:
        document.js_on_event("document_ready", cost_update)
    return file_html(document, resources=INLINE, title=title)


def charts(cells: list[Cell], *, machine: str, stack: str, scenario: str,
           connections: int) -> tuple[str, list[str]]:
    """Only the four charts of one selection, without toolbars: for PNG export.

    Returns the page and the charts' names, in the study's order.
    """
    views = _views(cells)
    key = _key(machine, stack, scenario, connections)
    if key not in views:
        raise ConfigError(f"no results for machine {machine!r}, stack {stack!r}, scenario {scenario!r}, "
                          f"{connections} connections; have: {', '.join(sorted(views)) or 'none'}")
    order = _in_study_order(_study_charts(views[key], toolbar=False))
    page = file_html(column(*order), resources=INLINE, title=f"{TITLE}: {stack}, {scenario}")
    return page, [chart.name for chart in order]


def _table_columns() -> list[TableColumn]:
    number = NumberFormatter(format="0,0")
    fine = NumberFormatter(format="0,0.000")
    # Long text is cut to the column's width; the whole of it shows on hover.
    full_text = HTMLTemplateFormatter(template='<span title="<%- value %>"><%- value %></span>')
    return [
        TableColumn(field="interface", title="Interface", width=70),
        TableColumn(field="framework", title="Framework", width=90),
        TableColumn(field="server", title="Server", width=90),
        TableColumn(field="status", title="Status", width=80),
        TableColumn(field="rps", title="Requests/s", formatter=number, width=90),
        TableColumn(field="p50", title="p50 (ms)", formatter=fine, width=80),
        TableColumn(field="p99", title="p99 (ms)", formatter=fine, width=80),
        TableColumn(field="cpu_us", title="CPU/request (µs)", formatter=NumberFormatter(format="0,0.0"), width=110),
        TableColumn(field="memory_mib", title="Memory (MiB)", formatter=NumberFormatter(format="0,0.0"), width=100),
        TableColumn(field="versions", title="Versions", formatter=full_text, width=220),
        TableColumn(field="reason", title="Reason (failed, skipped)", formatter=full_text, width=300),
    ]
