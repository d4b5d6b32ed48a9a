"""The summary page's data: asv's results joined with stackbench's records.

asv's results directory gives each tracked value (the median of the repeats)
per machine, commit, stack, pair and scenario. The record of the same commit
and environment adds why a pair failed or was skipped, the repeats themselves
(for whiskers) and the versions installed. No bokeh here; the page
(page.py) turns this into charts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import product
from pathlib import Path
from typing import Any

from . import records, registry
from .errors import ConfigError
from .metrics import METRICS
from .runner import Key
from .stacks import normalize

RESULTS_FORMAT = 2
_BENCHMARK = re.compile(r"^bench_pairs\.(Asgi|Wsgi)\.track_(\w+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Machine:
    name: str
    info: dict[str, str]

    def describe(self) -> str:
        info = self.info
        ram = f", {int(info['ram']) / 2**30:.0f} GiB" if info.get("ram", "").isdigit() else ""
        parts = [info.get("cpu", "?"), f"{info.get('num_cpu', '?')} CPUs{ram}", info.get("os", "")]
        return f"{self.name} ({', '.join(p for p in parts if p)})"


@dataclass(frozen=True)
class Run:
    """One asv results file: a machine, a commit and a stack's environment."""

    machine: Machine
    commit: str
    date: datetime
    stack: str
    env_name: str
    as_of: str | None
    python: str


@dataclass(frozen=True)
class Cell:
    """One pair and scenario in one run: what the page shows as a bar or a gap."""

    run: Run
    interface: str
    server: str
    framework: str
    scenario: str
    status: str  # measured | failed | skipped
    reason: str
    # asv's value (median of the repeats) per metric name.
    values: dict[str, float] = field(default_factory=dict)
    # (lowest, highest) repeat per metric name, from the record.
    spreads: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Versions of the pair's own packages, e.g. {"uvicorn": "0.54.0"}.
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return 1.0 / self.values["seconds_per_request"]

    @property
    def label(self) -> str:
        return f"{self.server} + {self.framework}"


def _parse_param(text: str) -> str:
    """asv stores parameter values as their repr: "'uvicorn'" -> "uvicorn"."""
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def _results_files(results_dir: Path) -> Iterator[tuple[Machine, dict[str, Any]]]:
    for machine_file in sorted(results_dir.glob("*/machine.json")):
        info = json.loads(machine_file.read_text())
        machine = Machine(info.get("machine", machine_file.parent.name), info)
        for path in sorted(machine_file.parent.glob("*.json")):
            if path.name == "machine.json":
                continue
            data = json.loads(path.read_text())
            if data.get("version") == RESULTS_FORMAT and "results" in data:
                yield machine, data


def _pair_versions(record: records.Record | None, interface: str, server: str, framework: str) -> dict[str, str]:
    if record is None:
        return {}
    try:
        pair = registry.find_pair(interface, server, framework)  # type: ignore[arg-type]
    except ConfigError:  # a pair no longer in the registry
        return {}
    names = [registry.distribution(r) for r in pair.requires]
    return {name: record.versions.get(normalize(name), "?") for name in names}


def _as_of(record: records.Record | None, stack: str) -> str | None:
    if record is not None and record.as_of:
        return record.as_of
    return stack if _DATE.match(stack) else None


def collect(results_dir: Path, root: Path) -> list[Cell]:
    """Every cell in every asv results file under `results_dir`.

    `root` holds the ``records/`` folder. A cell without a record still
    shows, with its status taken from asv (None: failed, NaN: skipped).
    """
    cells = []
    for machine, data in _results_files(results_dir):
        stack = data.get("env_vars", {}).get("STACK", "")
        found = records.find(root, data["commit_hash"], data["env_name"], machine.name)
        record = records.load(found) if found else None
        run = Run(
            machine=machine,
            commit=data["commit_hash"],
            date=datetime.fromtimestamp(data["date"] / 1000, timezone.utc),
            stack=stack,
            env_name=data["env_name"],
            as_of=_as_of(record, stack),
            python=data.get("python", ""),
        )
        outcomes = {
            Key(o["interface"], o["server"], o["framework"], o["scenario"]): o
            for o in (record.outcomes if record else ())
        }
        cells.extend(_cells(run, data, outcomes, record))
    return cells


def _cells(
    run: Run,
    data: dict[str, Any],
    outcomes: dict[Key, dict[str, Any]],
    record: records.Record | None,
) -> list[Cell]:
    columns = data["result_columns"]
    values: dict[Key, dict[str, float | None]] = {}
    for name, row in data["results"].items():
        match = _BENCHMARK.match(name)
        if not match:
            continue
        interface, metric_name = match[1].lower(), match[2]
        entry = dict(zip(columns, row))
        params = [[_parse_param(v) for v in values_] for values_ in entry["params"]]
        for combination, value in zip(product(*params), entry["result"]):
            values.setdefault(Key(interface, *combination), {})[metric_name] = value
    cells = []
    for key, by_metric in values.items():
        interface, server, framework, scenario = key
        outcome = outcomes.get(key)
        status = _status(by_metric)
        reason = ""
        if status != "measured":
            if outcome and outcome["status"] == status:
                reason = outcome["reason"]
            else:
                reason = f"asv recorded it as {status}; no stackbench record of the run says why"
        spreads = {}
        if outcome and status == "measured":
            repeats = records.repeats(outcome)
            for metric in METRICS:
                samples = metric.samples(repeats)
                spreads[metric.name] = (min(samples), max(samples))
        cells.append(
            Cell(
                run=run,
                interface=interface,
                server=server,
                framework=framework,
                scenario=scenario,
                status=status,
                reason=reason,
                values=dict(by_metric) if status == "measured" else {},
                spreads=spreads,
                versions=_pair_versions(record, interface, server, framework),
            )
        )
    return cells


def _status(by_metric: dict[str, float | None]) -> str:
    """asv stores None for a failed benchmark and NaN for a skipped one."""
    if any(v is None for v in by_metric.values()):
        return "failed"
    if any(math.isnan(v) for v in by_metric.values() if v is not None):
        return "skipped"
    return "measured"


def current(cells: list[Cell]) -> list[Cell]:
    """The cells of each machine and stack's newest run (by commit date)."""
    newest: dict[tuple[str, str], datetime] = {}
    for cell in cells:
        key = (cell.run.machine.name, cell.run.stack)
        newest[key] = max(newest.get(key, cell.run.date), cell.run.date)
    return [c for c in cells if c.run.date == newest[(c.run.machine.name, c.run.stack)]]


def stacks_by_date(cells: list[Cell]) -> list[str]:
    """Stack names, oldest as-of date first (unknown dates last)."""
    as_of: dict[str, str] = {}
    for cell in current(cells):
        as_of[cell.run.stack] = cell.run.as_of or "9999"
    return sorted(as_of, key=lambda s: (as_of[s], s))
