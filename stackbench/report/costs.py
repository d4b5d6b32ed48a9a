"""The cost view's data: counts per request from the count records, and how well they rank time.

Counts (bench_counts, stackbench/measure/counting.py) are kept twice: as asv
results under the count machine, and as count records
(records/<count machine>/<commit>-<env>/<invocation>.counts.json, written
after every pair) that also hold why a pair could not be counted and the
versions counted. The page reads the records: they carry everything a
hover shows.

Instructions are a proxy for time. `rank_agreement` says how good a proxy
over a whole stack: Spearman's rank correlation between instructions per
request and wall-clock seconds per request at one connection (the
summary's cells), and the pairs whose ranks differ most, the servers
whose time goes where user-space instructions do not see it (the kernel,
waits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import records
from ..session.counts import CountSession
from ..session.runner import Key
from .summary import Cell, _pair_versions


@dataclass(frozen=True)
class CostCell:
    """One pair and workload's counts per request in one count record, or why there are none."""

    machine: str  # the count machine
    commit: str
    stack: str
    as_of: str  # the stack's date ("" when unknown)
    interface: str
    server: str
    framework: str
    scenario: str
    connections: int
    status: str  # counted | failed | skipped
    reason: str = ""
    instructions: float | None = None
    estimated_cycles: float | None = None
    syscalls: float | None = None
    requests: int = 0  # how many requests the counts are divided by
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.server} + {self.framework}"

    @property
    def key(self) -> Key:
        return Key(self.interface, self.server, self.framework, self.scenario, self.connections)


def collect(root: Path) -> list[CostCell]:
    """Each stack's newest counts of every cell: a later record replaces a cell, never drops another.

    A run cut short, or one that counted a few pairs, updates only what it
    counted; the rest of the grid keeps its earlier counts (with their commit).
    """
    newest: dict[tuple[str, str, Key], CostCell] = {}
    for record in records.count_records(root):
        session = CountSession.from_dict(record.session)
        for key, (outcome, workload) in session.cells().items():
            versions = _pair_versions(record, key)  # type: ignore[arg-type]  # a CountRecord has .versions
            base = dict(machine=record.machine["name"], commit=record.commit, stack=record.stack,
                        as_of=record.as_of or "", interface=key.interface, server=key.server,
                        framework=key.framework, scenario=key.scenario, connections=key.connections,
                        versions=versions)
            if workload is None:
                cell = CostCell(**base, status=outcome.status, reason=outcome.reason)
            else:
                cell = CostCell(**base, status="counted", instructions=workload.instructions,
                                estimated_cycles=workload.estimated_cycles, syscalls=workload.syscalls,
                                requests=workload.requests)
            newest[(cell.machine, cell.stack, key)] = cell
    return list(newest.values())


def stacks_by_date(cells: Sequence[CostCell]) -> list[str]:
    dates = {c.stack: c.as_of or "9999" for c in cells}
    return sorted(dates, key=lambda s: (dates[s], s))


# -- is the proxy honest? ----------------------------------------------------------


@dataclass(frozen=True)
class Divergence:
    """A pair whose rank by instructions is far from its rank by wall-clock time."""

    interface: str
    label: str
    instructions: float
    microseconds: float  # wall-clock per request at one connection
    instructions_rank: int  # 1: the cheapest
    time_rank: int

    @property
    def shift(self) -> int:
        return self.time_rank - self.instructions_rank


@dataclass(frozen=True)
class RankAgreement:
    stack: str
    scenario: str
    wall_clock_machine: str
    pairs: int
    spearman: float
    divergent: list[Divergence]


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank (as Spearman's coefficient wants)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    found = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for i in order[start:end + 1]:
            found[i] = (start + end) / 2 + 1
        start = end + 1
    return found


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation: Pearson's of the ranks."""
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    spread = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / spread if spread else float("nan")


def rank_agreement(costs: Sequence[CostCell], cells: Sequence[Cell], stack: str, scenario: str = "plaintext",
                   show: int = 8) -> RankAgreement | None:
    """Instructions against wall-clock seconds per request at one connection, over one stack's pairs.

    The wall-clock side is the newest run of that stack on the machine that
    measured most of its pairs; None when fewer than 3 pairs have both.
    """
    counted = {c.key: c.instructions for c in costs
               if c.stack == stack and c.scenario == scenario and c.connections == 1 and c.instructions}
    timed_by_machine: dict[str, dict[Key, float]] = {}
    for cell in cells:
        if cell.run.stack == stack and cell.scenario == scenario and cell.connections == 1 \
                and cell.status == "measured" and cell.values.get("seconds_per_request"):
            timed_by_machine.setdefault(cell.run.machine.name, {})[cell.key] = cell.values["seconds_per_request"]
    if not timed_by_machine:
        return None
    machine, timed = max(timed_by_machine.items(), key=lambda item: len(set(item[1]) & set(counted)))
    both = sorted(set(counted) & set(timed))
    if len(both) < 3:
        return None
    xs, ys = [counted[k] for k in both], [timed[k] for k in both]
    rx, ry = ranks(xs), ranks(ys)
    divergent = sorted(
        (Divergence(k.interface, f"{k.server} + {k.framework}", x, y * 1e6, round(a), round(b))
         for k, x, y, a, b in zip(both, xs, ys, rx, ry)),
        key=lambda d: -abs(d.shift))
    return RankAgreement(stack, scenario, machine, len(both), spearman(xs, ys), divergent[:show])
