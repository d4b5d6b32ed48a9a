"""The summary page's data: asv's results joined with the records that produced them.

asv's results directory gives each tracked value (the median of the samples)
per machine, commit, stack and cell. The records (records.py) add why a cell
failed or was skipped, the samples themselves (for whiskers), the versions,
the settings, and the references read alongside. A cell is joined only with
the record sessions that produced asv's value: the newest invocation whose
sessions ended before asv stored the value, holding the cell; for a measured
cell the samples must also give asv's median and count. A cell no record
matches is shown with asv's value alone, saying so. No bokeh here.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import product
from pathlib import Path
from typing import Any

from .. import records, registry
from ..asv.metrics import METRICS
from ..errors import ConfigError
from ..machine import is_count_machine
from ..session import reference
from ..session.runner import Key, Outcome, Round, Session
from ..settings import levels_text
from ..stacks import normalize

RESULTS_FORMAT = 2
_BENCHMARK = re.compile(r"^bench_pairs\.(Asgi|Wsgi)\.track_(\w+)$")
_REFERENCE = re.compile(r"^bench_reference\.Reference\.track_seconds$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# asv keeps 5 significant digits of each figure.
_ASV_PRECISION = 1e-4
# What the page calls a cell whose record does not match asv's result.
NO_RECORD = "no stackbench record matches asv's result for this cell"
# A cell asv skipped that the run's records do not hold: asv's -b left it out.
NOT_SELECTED = "not measured in this run: asv's -b did not select it"


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
    date: datetime  # the commit's date, as asv stores it
    stack: str
    env_name: str
    as_of: str | None
    python: str
    # The median reading of each reference over the matched sessions (seconds).
    references: dict[str, float] = field(default_factory=dict)
    # The settings the newest matched session measured with (settings.as_dict).
    settings: dict[str, Any] = field(default_factory=dict)
    measured_at: datetime | None = None  # when the newest matched session ended
    # The calibration switch, when the measured commit turned it on (calibration.py).
    calibration: dict[str, Any] | None = None

    @property
    def profile(self) -> str:
        """A short signature of the settings: runs with another one never share a line."""
        s = self.settings
        if not s:
            return "unknown settings"
        return (f"{s['launches']}x{s['rounds']} launches, {s['runs']}x{s['duration']}s"
                f" at c{levels_text(s['connections'])}")


@dataclass(frozen=True)
class Cell:
    """One pair and workload in one run: what the page shows as a bar or a gap."""

    run: Run
    interface: str
    server: str
    framework: str
    scenario: str
    connections: int
    status: str  # measured | failed | skipped | client-bound
    reason: str
    # asv's value (median of the samples) per metric name.
    values: dict[str, float] = field(default_factory=dict)
    # (lowest, highest) sample per metric name, from the record.
    spreads: dict[str, tuple[float, float]] = field(default_factory=dict)
    # Versions of the pair's own packages, e.g. {"uvicorn": "0.54.0"}.
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def requests_per_second(self) -> float:
        return 1.0 / self.values["seconds_per_request"]

    @property
    def label(self) -> str:
        return f"{self.server} + {self.framework}"

    @property
    def key(self) -> Key:
        return Key(self.interface, self.server, self.framework, self.scenario, self.connections)


def _parse_param(text: str) -> str | int:
    """asv stores parameter values as their repr: "'uvicorn'" -> "uvicorn", "32" -> 32."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    try:
        return int(text)
    except ValueError:
        return text


def _results_files(results_dir: Path) -> Iterator[tuple[Machine, dict[str, Any]]]:
    for machine_file in sorted(results_dir.glob("*/machine.json")):
        if is_count_machine(machine_file.parent.name):
            continue  # counts, not wall-clock figures: report/costs.py reads them
        info = json.loads(machine_file.read_text())
        machine = Machine(info.get("machine", machine_file.parent.name), info)
        for path in sorted(machine_file.parent.glob("*.json")):
            if path.name == "machine.json":
                continue
            data = json.loads(path.read_text())
            if data.get("version") == RESULTS_FORMAT and "results" in data:
                yield machine, data


@dataclass(frozen=True)
class _Value:
    """asv's figures for one cell and metric."""

    result: float | None
    repeat: int | None  # how many samples
    started_at: float  # seconds since the epoch: when asv read the benchmark (last round)


def _rows(data: dict[str, Any]) -> Iterator[tuple[str, str, list[tuple[Any, ...]], list[_Value]]]:
    """(class, metric, parameter combinations, values) of each benchmark in a results file."""
    columns = data["result_columns"]
    for name, row in data["results"].items():
        entry = dict(zip(columns, row))
        match = _BENCHMARK.match(name)
        if match:
            kind, metric = match[1], match[2]
        elif _REFERENCE.match(name):
            kind, metric = "Reference", "seconds"
        else:
            continue
        params = list(product(*[[_parse_param(v) for v in values] for values in entry["params"]]))
        results = entry["result"] if isinstance(entry["result"], list) else [entry["result"]] * len(params)
        repeats = (entry.get("stats_repeat") or [None] * len(params))
        started = (entry.get("started_at") or 0) / 1000
        values = [_Value(r, n, started) for r, n in zip(results, repeats)]
        yield kind, metric, params, values


def _status(by_metric: dict[str, float | None]) -> str:
    """asv stores None for a failed benchmark and NaN for a skipped one."""
    if any(v is None for v in by_metric.values()):
        return "failed"
    if any(math.isnan(v) for v in by_metric.values() if v is not None):
        return "skipped"
    return "measured"


@dataclass(frozen=True)
class _Source:
    """The record rounds behind one cell's asv value."""

    record: records.Record
    rounds: list[Round]
    outcome: Outcome  # the last round's
    samples: tuple  # every matched round's samples, in order


def _with_sessions(invocations: list[records.Record]) -> list[tuple[records.Record, list[Session]]]:
    """Each record with its sessions read, once per results file rather than once
    per cell: a whole-grid record holds thousands of samples (reading them per
    cell made `asv publish` take two minutes)."""
    return [(record, [records.session_from_dict(s) for s in record.sessions]) for record in invocations]


def _source(invocations: list[tuple[records.Record, list[Session]]], key: Key, value: _Value,
            status: str) -> _Source | None:
    """The newest invocation's sessions that ended before asv stored `value` and hold `key`."""
    for record, sessions in reversed(invocations):
        rounds = [r for session in sessions if session.ended_at <= value.started_at + 1.0
                  for r in session.rounds]
        held = [(r, r.get(key)) for r in rounds if r.get(key) is not None]
        if not held:
            continue
        outcome = held[-1][1]
        samples = tuple(s for _, o in held for s in o.samples)
        if status == "measured" and not _matches(samples, value):
            return None  # the newest candidate disagrees with asv: no silent join
        return _Source(record, [r for r, _ in held], outcome, samples)
    return None


def _matches(samples: tuple, value: _Value) -> bool:
    if value.result is None or (value.repeat is not None and value.repeat != len(samples)) or not samples:
        return False
    median = statistics.median(s.result.seconds_per_request for s in samples)
    return math.isclose(median, value.result, rel_tol=_ASV_PRECISION)


def _pair_versions(record: records.Record | None, key: Key) -> dict[str, str]:
    if record is None:
        return {}
    try:
        pair = registry.find_pair(key.interface, key.server, key.framework)  # type: ignore[arg-type]
    except ConfigError:  # a pair no longer in the registry
        return {}
    names = [registry.distribution(r) for r in pair.requires]
    return {name: record.versions.get(normalize(name), "?") for name in names}


def _first_suite_connections(root: Path, machine: str, data: dict[str, Any]) -> int | None:
    """The wrk connections of a run of the first suite (results without the
    connections parameter), from its record (format 1, one file per run), or
    None when that record is gone: such rows are then left out."""
    path = root / "records" / machine / f"{data['commit_hash'][:8]}-{data['env_name']}.json"
    try:
        return int(json.loads(path.read_text())["settings"]["connections"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def collect(results_dir: Path, root: Path) -> list[Cell]:
    """Every cell in every asv results file under `results_dir`.

    `root` holds the ``records/`` folder. A cell without a matching record
    still shows, with its status taken from asv (None: failed, NaN: skipped).
    """
    cells = []
    for machine, data in _results_files(results_dir):
        stack = data.get("env_vars", {}).get("STACK", "")
        invocations = _with_sessions(records.invocations(root, machine.name, data["commit_hash"], data["env_name"]))
        by_key: dict[Key, dict[str, _Value]] = {}
        for kind, metric, params, values in _rows(data):
            if kind == "Reference":
                continue
            for combination, value in zip(params, values):
                if len(combination) == len(Key._fields) - 2:  # suite version 1: no connections parameter
                    connections = _first_suite_connections(root, machine.name, data)
                    if connections is None:
                        continue
                    combination = (*combination, connections)
                if registry.unpaired(kind.lower(), *combination[:2]):
                    continue  # in asv's parameter grid, but not a pair
                by_key.setdefault(Key(kind.lower(), *combination), {})[metric] = value
        sources = {}
        for key, by_metric in by_key.items():
            main = by_metric.get("seconds_per_request") or next(iter(by_metric.values()))
            sources[key] = _source(invocations, key, main, _status({m: v.result for m, v in by_metric.items()}))
        run = _run(machine, data, stack, [s for s in sources.values() if s is not None])
        cells += [_cell(run, key, by_metric, sources[key], bool(invocations)) for key, by_metric in by_key.items()]
    return cells


def _run(machine: Machine, data: dict[str, Any], stack: str, sources: list[_Source]) -> Run:
    newest = max(sources, key=lambda s: s.record.sessions[-1]["ended_at"], default=None)
    record = newest.record if newest else None
    readings: dict[str, list[float]] = {}
    for round_ in newest.rounds if newest else []:
        for reading in round_.readings:
            readings.setdefault(reading.reference, []).append(reading.seconds)
    as_of = record.as_of if record and record.as_of else (stack if _DATE.match(stack) else None)
    return Run(
        machine=machine,
        commit=data["commit_hash"],
        date=datetime.fromtimestamp(data["date"] / 1000, timezone.utc),
        stack=stack,
        env_name=data["env_name"],
        as_of=as_of,
        python=record.python if record else data.get("python", ""),
        references={name: statistics.median(values) for name, values in readings.items()},
        settings=dict(record.settings) if record else {},
        measured_at=datetime.fromtimestamp(record.sessions[-1]["ended_at"], timezone.utc) if record else None,
        calibration=record.calibration if record else None,
    )


def _cell(run: Run, key: Key, by_metric: dict[str, _Value], source: _Source | None, recorded: bool) -> Cell:
    status = _status({m: v.result for m, v in by_metric.items()})
    reason, spreads = "", {}
    if source is not None and status != "measured":
        # asv's NaN covers skipped and client-bound; the record says which, and why.
        status, reason = source.outcome.status, source.outcome.reason
    elif source is None and status == "skipped" and recorded:
        reason = NOT_SELECTED
    elif source is None and status != "measured":
        reason = f"asv recorded it as {status}; {NO_RECORD}"
    if source is not None and status == "measured":
        for metric in METRICS:
            try:
                values = metric.samples(source.samples)
            except Exception:  # noqa: BLE001 - e.g. no reference in an old session: no whisker
                continue
            spreads[metric.name] = (min(values), max(values))
    return Cell(
        run=run,
        interface=key.interface,
        server=key.server,
        framework=key.framework,
        scenario=key.scenario,
        connections=key.connections,
        status=status,
        reason=reason,
        values={m: v.result for m, v in by_metric.items()} if status == "measured" else {},
        spreads=spreads,
        versions=_pair_versions(source.record if source else None, key),
    )


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


def reference_shift(runs: list[Run], name: str = reference.NORMALIZER) -> float:
    """How far apart the runs' reference readings are: max / min - 1 (0 without readings)."""
    values = [r.references[name] for r in runs if name in r.references]
    return max(values) / min(values) - 1 if len(values) > 1 else 0.0
