#!/usr/bin/env python3
"""Compare two runs that asv cannot put side by side: other machines, other sessions.

    tools/compare.py MACHINE:COMMIT[:STACK] MACHINE:COMMIT[:STACK]
                     [--metric normalized|raw|instructions|cycles|syscalls|all] [--factor F]
                     [--only-changed] [--sort ratio]
                     [--results-before DIR] [--results-after DIR]

`asv compare` joins rows of one machine only, and raw figures of two
sessions carry the machine's drift (up to 2x between machines of one kind).
This compares any two runs in asv's own table, by default on the normalized
metric (seconds per request divided by the frozen reference's, read in the
same session), and says how many rows were compared and flagged. Exit
status 1 when a row got significantly worse, as `asv continuous`.

Counts (--metric instructions, cycles or syscalls; MACHINE is then the
count machine, `python -m stackbench.machine --counts`) do not depend on the
host: they are compared as they are, at 1% by default; wall-clock metrics
at their measured noise floor, 1.25 (stackbench/analysis/comparison.py).
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, stacks  # noqa: E402
from stackbench.analysis import comparison  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402


def load_run(text: str, metric: str | None, results: Path) -> tuple[str, list[comparison.ResultTuple]]:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise ConfigError(f"{text!r}: give MACHINE:COMMIT or MACHINE:COMMIT:STACK (machines: "
                          f"{', '.join(sorted(p.name for p in results.iterdir() if p.is_dir()))})")
    machine, commit = parts[:2]
    envs = [stacks.asv_environment(parts[2])] if len(parts) == 3 else None
    try:
        found = comparison.load(results, machine, commit, envs)
    except Exception as error:  # asv raises its own errors for unknown commits
        raise ConfigError(f"{text!r}: no results ({error})") from None
    if not found:
        raise ConfigError(f"{text!r}: no results in {results / machine} for that commit and stack")
    return text, comparison.relabel(found, keep=metric)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--metric", choices=sorted(comparison.METRICS), default="normalized")
    parser.add_argument("--factor", type=float,
                        help=f"asv's factor (default {comparison.COUNT_FACTOR} for counts, "
                             f"{comparison.WALL_CLOCK_FACTOR} for wall-clock metrics)")
    parser.add_argument("--only-changed", action="store_true")
    parser.add_argument("--sort", choices=["default", "ratio", "name"], default="default")
    parser.add_argument("--results-before", type=Path, default=ROOT / "results",
                        help="asv results folder of the first run (default: this repository's)")
    parser.add_argument("--results-after", type=Path, default=ROOT / "results",
                        help="asv results folder of the second run (e.g. a clone's)")
    args = parser.parse_args()
    metric = comparison.METRICS[args.metric]
    factor = args.factor or comparison.default_factor(args.metric)
    (name_a, a) = load_run(args.before, metric, args.results_before)
    (name_b, b) = load_run(args.after, metric, args.results_after)
    # asv joins rows on machine and environment: give both sides one label of each.
    same_env = {r[7] for r in a} == {r[7] for r in b}
    a = comparison.relabel(a, machine="compared", env_name=None if same_env else "stack")
    b = comparison.relabel(b, machine="compared", env_name=None if same_env else "stack")
    worse = comparison.report(a, b, names=(name_a, name_b), metric=args.metric, factor=factor,
                              only_changed=args.only_changed, sort=args.sort)
    return 1 if worse else 0


if __name__ == "__main__":
    cli.run(main)
