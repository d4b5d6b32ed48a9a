"""What a machine can detect: false alarms of A/A runs, smallest slowdown of A/B runs.

`tools/sensitivity.py` runs `asv continuous` between two commits that change
nothing (A/A) and between a commit and one that turns the calibration switch
on (A/B: a fixed CPU cost per request in one framework's apps), then reads
the rows as `asv compare` marks them (comparison.py). This module holds the
judgement and the file it is kept in, ``records/<machine>/sensitivity.json``,
which the summary page quotes.

A/B: the cost is set from the A runs' own figures, as a share of the slowest
targeted pair's seconds per request, so every targeted pair slows by at
least that share; faster pairs slow by more (cost / their time per request).
The smallest slowdown detected reliably is the smallest s such that every
targeted row of the primary metric with a slowdown of s or more was flagged
as worse, over all A/B runs.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .comparison import WORSE, Row

FILE = "sensitivity.json"
# The row that must flag a slowdown; the others of the targeted pairs may, but need not.
PRIMARY = "track_seconds_per_request"
# Metrics a CPU cost per request moves; a flagged row of any other metric is a false alarm.
MOVED_BY_CPU = ("track_seconds_per_request", "track_normalized_seconds_per_request",
                "track_cpu_seconds_per_request", "track_latency_p50", "track_latency_p99")
# The same for counts (bench_counts): fixed loop work adds instructions, never a system call.
COUNT_PRIMARY = "track_instructions_per_request"
MOVED_BY_WORK = ("track_instructions_per_request", "track_estimated_cycles_per_request")


@dataclass(frozen=True)
class Target:
    """A pair of the calibrated framework, and its slowdown in one A/B run."""

    benchmark: str  # the primary row's name(params)
    environment: str
    baseline: float  # seconds per request at A
    slowdown: float  # the cost over the baseline
    ratio: float | None  # what asv measured, B / A
    flagged: bool


@dataclass
class ABRun:
    extra_iterations: int  # the calibration switch's fixed work per request
    targets: list[Target]
    false_alarms: list[str]  # rows flagged that the cost cannot explain
    seconds: float
    # Runs before the switch was fixed work: a spin of this many µs per request.
    extra_cpu_microseconds: float = 0.0


@dataclass
class AARun:
    rows: int
    flagged: list[str]  # row names
    seconds: float


@dataclass
class Finding:
    machine: str
    fingerprint: str
    date: str
    pairs: list[str]
    stacks: list[str]
    framework: str
    factor: float
    settings: dict[str, Any]
    aa: list[AARun] = field(default_factory=list)
    ab: list[ABRun] = field(default_factory=list)
    metric: str = PRIMARY  # the row each A/B target is judged on (COUNT_PRIMARY for counts)

    @property
    def false_alarm_rate(self) -> float:
        rows = sum(r.rows for r in self.aa)
        return sum(len(r.flagged) for r in self.aa) / rows if rows else 0.0

    @property
    def detectable(self) -> float | None:
        """The smallest slowdown detected every time at and above it (None: none was)."""
        points = sorted((t.slowdown, t.flagged) for run in self.ab for t in run.targets)
        smallest = None
        for slowdown, flagged in reversed(points):
            if not flagged:
                break
            smallest = slowdown
        return smallest

    def sentence(self) -> str:
        """What the summary page says about this machine."""
        aa_rows = sum(r.rows for r in self.aa)
        flagged = sum(len(r.flagged) for r in self.aa)
        found = self.detectable
        if found is None:
            limit = "no calibrated slowdown was detected reliably"
        else:
            limit = f"changes below {found:.0%} are not detectable on this machine"
        return (f"{limit[0].upper()}{limit[1:]} (tools/sensitivity.py, {self.date[:10]}: "
                f"{len(self.ab)} A/B runs at --factor {self.factor}; {len(self.aa)} A/A runs flagged "
                f"{flagged} of {aa_rows} rows).")

    def save(self, root: Path) -> Path:
        path = root / "records" / self.machine / FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {**asdict(self), "false_alarm_rate": self.false_alarm_rate, "detectable": self.detectable}
        path.write_text(json.dumps(data, indent=1) + "\n")
        return path


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load(path: Path) -> Finding:
    data = json.loads(path.read_text())
    data.pop("false_alarm_rate", None)
    data.pop("detectable", None)
    finding = Finding(**{k: v for k, v in data.items() if k not in ("aa", "ab")})
    finding.aa = [AARun(**r) for r in data["aa"]]
    finding.ab = [ABRun(r.get("extra_iterations", 0), [Target(**t) for t in r["targets"]], r["false_alarms"],
                        r["seconds"], r.get("extra_cpu_microseconds", 0.0)) for r in data["ab"]]
    return finding


def sentences(root: Path) -> dict[str, str]:
    """Per machine with a sensitivity file: the sentence the page quotes."""
    return {path.parent.name: load(path).sentence() for path in sorted((root / "records").glob(f"*/{FILE}"))}


def is_target(row: Row, framework: str, interface: str = "") -> bool:
    """Whether a row is of the calibrated framework's pairs (names hold the parameters)."""
    if ".Reference." in row.benchmark:
        return False
    classes = "Asgi|Wsgi" if not interface else interface.capitalize()
    # bench_pairs' Asgi/Wsgi, bench_counts' AsgiCounts/WsgiCounts.
    return re.search(rf"\.(?:{classes})(?:Counts)?\.", row.benchmark) is not None \
        and f", '{framework}', " in row.benchmark


def judge_aa(rows: list[Row], seconds: float) -> AARun:
    compared = [r for r in rows if ".Reference." not in r.benchmark]
    return AARun(len(compared), [f"{r.mark} {r.benchmark} [{r.environment}]" for r in compared if r.flagged],
                 seconds)


def judge_ab(rows: list[Row], framework: str, extra_seconds: float, iterations: int, seconds: float, *,
             primary: str = PRIMARY, moved: tuple[str, ...] = MOVED_BY_CPU) -> ABRun:
    """The A/B run's targets (the framework's `primary` rows) and false alarms.

    `extra_seconds` is the switch's cost per request in the primary's unit
    (seconds, or instructions for counts); each target's slowdown is it over
    the target's figure at A. A flagged row is a false alarm unless it is a
    target's row of a metric in `moved`, flagged worse.
    """
    targets, false_alarms = [], []
    for row in rows:
        if ".Reference." in row.benchmark:
            continue
        target = is_target(row, framework)
        metric = row.benchmark.split("(")[0].rsplit(".", 1)[-1]
        if row.after is not None and math.isnan(row.after):
            continue  # not measured in the A/B run (another stack): neither a target nor an alarm
        if target and metric == primary and row.before and math.isfinite(row.before):
            targets.append(Target(row.benchmark, row.environment, row.before, extra_seconds / row.before,
                                  row.ratio, row.mark == WORSE))
        elif row.flagged and not (target and metric in moved and row.mark == WORSE):
            false_alarms.append(f"{row.mark} {row.benchmark} [{row.environment}]")
    return ABRun(iterations, targets, false_alarms, seconds)
