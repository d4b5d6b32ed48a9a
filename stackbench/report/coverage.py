"""The grid's coverage: for every registered pair and stack, what the latest run made of it.

Read from the registry and a results directory (with its records), through
summary.collect: measured, failed (the first line of the reason), skipped
(why), client-bound, or not run yet. tools/coverage.py prints it and writes
the README's table, so that table is never typed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import registry, stacks
from ..errors import ConfigError
from .summary import NOT_SELECTED, Cell, collect, current

README_START = "<!-- coverage: written by tools/coverage.py --readme; do not edit -->"
README_END = "<!-- coverage end -->"
NOT_RUN = "not run"
# The figure a measured pair shows: requests/s of this scenario at the loaded (highest) level.
FIGURE_SCENARIO = "plaintext"
# Order in which a pair's verdict is taken when its workloads disagree.
_WORST_FIRST = ("failed", "client-bound", "skipped", "measured")


@dataclass(frozen=True)
class Verdict:
    """What one run made of one pair, all its workloads together."""

    status: str  # measured | failed | skipped | client-bound | not run
    reason: str = ""  # first line only
    workloads: str = ""  # which workloads the status holds for, when not all
    # Requests/s of plaintext at the loaded level, when that cell was measured.
    requests_per_second: float | None = None

    def __str__(self) -> str:
        text = self.status + (f" ({self.workloads})" if self.workloads else "")
        if self.requests_per_second is not None:
            text += f", {self.requests_per_second:,.0f} req/s"
        return f"{text}: {self.reason}" if self.reason else text


@dataclass(frozen=True)
class Coverage:
    machine: str
    stacks: list[str]  # oldest first
    pairs: list[registry.Pair]
    verdicts: dict[tuple[str, str, str, str], Verdict]  # (interface, server, framework, stack)

    def verdict(self, pair: registry.Pair, stack: str) -> Verdict:
        return self.verdicts.get((pair.app.interface, pair.server.name, pair.app.framework, stack), Verdict(NOT_RUN))

    def counts(self, stack: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for pair in self.pairs:
            status = self.verdict(pair, stack).status
            found[status] = found.get(status, 0) + 1
        return found


def first_line(text: str, limit: int = 150) -> str:
    """The reason's first line, cut to `limit` characters for a table cell."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _verdict(cells: list[Cell]) -> Verdict:
    by_status: dict[str, list[Cell]] = {}
    for cell in cells:
        by_status.setdefault(cell.status, []).append(cell)
    status = next(s for s in _WORST_FIRST if s in by_status)
    chosen = by_status[status]
    partial = ""
    if len(by_status) > 1:
        partial = ", ".join(sorted({f"{c.scenario} c{c.connections}" for c in chosen}))
    loaded = [c for c in cells if status == "measured" and c.scenario == FIGURE_SCENARIO
              and c.connections == max(x.connections for x in cells)]
    return Verdict(status, first_line(chosen[0].reason), partial, loaded[0].requests_per_second if loaded else None)


def machines(results_dir: Path, root: Path) -> list[str]:
    return sorted({cell.run.machine.name for cell in collect(results_dir, root)})


def _every_stack(cells: list[Cell], stacks_dir: Path) -> list[str]:
    """The stacks the runs measured and every stack file besides (a stack no run
    has measured yet shows as "not run"), oldest as-of date first."""
    as_of = {cell.run.stack: cell.run.as_of or "9999" for cell in cells}
    if stacks_dir.is_dir():
        as_of |= {name: stacks.load(name, stacks_dir).as_of or "9999" for name in stacks.names(stacks_dir)}
    return sorted(as_of, key=lambda name: (as_of[name], name))


def build(results_dir: Path, root: Path, machine: str | None = None) -> Coverage:
    """For each pair and stack, the newest run of `machine` that ran the pair.

    Default machine: the one measured last. A run that asv's -b kept from
    the pair does not count: an older run that did measure it speaks for it.
    """
    cells = collect(results_dir, root)
    if machine is None and cells:
        machine = max(cells, key=lambda c: c.run.date).run.machine.name
    mine = [c for c in cells if c.run.machine.name == machine]
    grouped: dict[tuple[str, str, str, str], list[Cell]] = {}
    for cell in mine:
        if cell.reason != NOT_SELECTED:
            grouped.setdefault((cell.interface, cell.server, cell.framework, cell.run.stack), []).append(cell)
    newest = {key: [c for c in found if c.run.date == max(c.run.date for c in found)]
              for key, found in grouped.items()}
    return Coverage(
        machine=machine or "",
        stacks=_every_stack(current(mine), root / "stacks"),
        pairs=registry.pairs(),
        verdicts={key: _verdict(found) for key, found in newest.items()},
    )


def markdown(coverage: Coverage) -> str:
    """A table: one row per pair, one column per stack; then the counts per stack."""
    if not coverage.stacks:
        return f"No results for machine {coverage.machine!r} yet: run `asv run`.\n"
    escape = str.maketrans({"|": "\\|", "\n": " "})
    lines = [
        f"| pair | {' | '.join(coverage.stacks)} |",
        f"|---|{'---|' * len(coverage.stacks)}",
    ]
    for pair in coverage.pairs:
        verdicts = [str(coverage.verdict(pair, stack)).translate(escape) for stack in coverage.stacks]
        lines.append(f"| {pair.app.interface.upper()}: {pair.label} | {' | '.join(verdicts)} |")
    lines.append("")
    for stack in coverage.stacks:
        counts = coverage.counts(stack)
        lines.append(f"- {stack}: " + ", ".join(f"{counts[s]} {s}" for s in (*_WORST_FIRST, NOT_RUN) if s in counts))
    return "\n".join(lines) + "\n"


def report(coverage: Coverage) -> str:
    """What tools/coverage.py prints and the README holds: which machine, then the table."""
    return (f"Machine `{coverage.machine}`; for each pair, the newest run that ran it. A measured pair shows "
            f"its requests/s, {FIGURE_SCENARIO} at the loaded level:\n\n" + markdown(coverage))


def replace_in_readme(text: str, table: str) -> str:
    """`text` with the block between the coverage markers replaced by `table`."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ConfigError(f"the README has no coverage block: put the lines {README_START!r} and "
                          f"{README_END!r} where the table belongs")
    return text[: start + len(README_START)] + "\n" + table + text[end:]
