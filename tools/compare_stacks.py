#!/usr/bin/env python3
"""Compare two stacks at one commit, the way `asv compare` compares two commits.

    tools/compare_stacks.py STACK_A STACK_B [--commit HASH] [--machine NAME]
                            [--metric auto|instructions|cycles|syscalls|normalized|raw|all]
                            [--factor F] [--only-changed] [--sort default|ratio|name] [--results DIR]

asv compares commits, not environments; this puts two stacks' results of
one commit side by side in asv's own table (ratio, significance from the
stored samples, --only-changed, --sort ratio), and prints above it which
packages differ between the two stacks as measured (old -> new).

Whether the figures can be compared raw depends on how they were measured:
two stacks run in one asv invocation with interleaved rounds
(`asv run --interleave-rounds -E A -E B`) saw the same minutes of the
machine; otherwise each stack had its own session, and the raw figures
carry the machine's drift between them (10-30% within hours on cloud
machines). The command says which it was and, with --metric auto (the
default), compares raw figures only in the first case and the normalized
metric (divided by the frozen reference read alongside) in the second.

Counts come first: with --metric auto and no --machine, when a count machine
(bench_counts, `python -m stackbench.machine --counts`) has both stacks at a
commit, the stacks are compared on instructions per request, exact and
independent of the host, at 1% by default. Wall-clock metrics are judged at
their measured noise floor, 1.25 by default (stackbench/analysis/comparison.py).
Exit status 1 when a row got significantly worse, as `asv continuous`.
"""

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, machine, records, stacks  # noqa: E402
from stackbench.analysis import comparison  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402


def measured_versions(record: records.Record | records.CountRecord | None, commit: str,
                      stack: str) -> tuple[dict[str, str], str]:
    """The versions a stack's run measured, and where they come from: its record, else its file at the commit."""
    if record is not None and record.versions:
        return {stacks.normalize(k): v for k, v in record.versions.items()}, "the run's record"
    shown = subprocess.run(["git", "show", f"{commit}:stacks/{stack}.txt"], cwd=ROOT, capture_output=True,
                           text=True)
    if shown.returncode == 0:
        return stacks.parse_pins(shown.stdout, f"stacks/{stack}.txt at {commit[:8]}"), f"stacks/{stack}.txt at {commit[:8]}"
    return {}, "nowhere (no record, and the commit is not in this repository)"


def together(a: records.Record | None, b: records.Record | None) -> bool:
    """Whether the two runs were one asv invocation with interleaved rounds."""
    return (a is not None and b is not None and a.invocation.get("id") == b.invocation.get("id")
            and bool(a.invocation.get("interleaved")))


def how_measured(a: records.Record | None, b: records.Record | None, envs: list[str]) -> str:
    if together(a, b):
        return f"measured together: one asv invocation ({a.invocation['id']}), rounds interleaved"
    if a is None or b is None:
        return "not known to be measured together (a run has no record here): treated as separate sessions"
    if a.invocation.get("id") == b.invocation.get("id"):
        why = f"one asv invocation ({a.invocation['id']}) but one stack after the other, not interleaved"
    else:
        why = f"separate asv invocations ({a.invocation['id']}, {b.invocation['id']})"
    return (f"NOT measured in one session: {why}; raw figures carry the machine's drift between the sessions. "
            f"To measure them together: asv run --interleave-rounds -E {envs[0]} -E {envs[1]}")


def counting_machine(results: Path, envs: list[str]) -> str | None:
    """A count machine in `results` with a commit that has both environments, if any."""
    if not results.is_dir():
        return None
    for folder in sorted(results.iterdir()):
        if folder.is_dir() and machine.is_count_machine(folder.name) and \
                comparison.commits_with(results, folder.name, envs):
            return folder.name
    return None


def count_record(root: Path, name: str, commit: str, env: str) -> records.CountRecord | None:
    """The newest count record of `commit` and `env`: it holds the versions counted."""
    found = [r for r in records.count_records(root)
             if r.machine.get("name") == name and r.commit == commit and r.env_name == env]
    return found[-1] if found else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="a stack name, e.g. 2024-11-23")
    parser.add_argument("after", help="a stack name, e.g. latest")
    parser.add_argument("--commit", help="the measured commit (a prefix will do); default: the newest with both")
    parser.add_argument("--machine", help="asv's machine name; default: this machine's")
    parser.add_argument("--metric", choices=["auto", *sorted(comparison.METRICS)], default="auto")
    parser.add_argument("--factor", type=float,
                        help=f"asv's factor (default {comparison.COUNT_FACTOR} for counts, "
                             f"{comparison.WALL_CLOCK_FACTOR} for wall-clock metrics)")
    parser.add_argument("--only-changed", action="store_true")
    parser.add_argument("--sort", choices=["default", "ratio", "name"], default="default")
    parser.add_argument("--results", type=Path, default=ROOT / "results",
                        help="asv's results folder; records are read from the records/ next to it")
    args = parser.parse_args()
    envs = [stacks.asv_environment(s) for s in (args.before, args.after)]
    counted = counting_machine(args.results, envs) if args.metric in ("auto", *comparison.COUNT_METRICS) else None
    if args.machine:
        name = args.machine
    elif counted:
        name = counted
    elif args.metric in comparison.COUNT_METRICS:
        raise ConfigError(f"no count machine in {args.results} has both {args.before} and {args.after}: run "
                          f"`asv run --machine \"$(.venv/bin/python -m stackbench.machine --counts)\" "
                          f"-b bench_counts -E {envs[0]} -E {envs[1]}` first")
    else:
        name = machine.asv_name(None)
    if not (args.results / name).is_dir():
        known = sorted(p.name for p in args.results.iterdir() if p.is_dir()) if args.results.is_dir() else []
        raise ConfigError(f"no results for machine {name!r} in {args.results} (machines: {', '.join(known) or 'none'}); "
                          "give --machine")
    candidates = comparison.commits_with(args.results, name, envs)
    if args.commit:
        candidates = [c for c in candidates if c.startswith(args.commit)]
    if not candidates:
        raise ConfigError(f"no commit{f' {args.commit}' if args.commit else ''} has results for both "
                          f"{args.before} and {args.after} on {name}: run `asv run -E {envs[0]} -E {envs[1]}` first")
    commit = candidates[0]
    found = [records.invocations(args.results.parent, name, commit, env) for env in envs]
    rec_a, rec_b = (runs[-1] if runs else None for runs in found)
    print(f"{args.before} -> {args.after} at commit {commit[:8]} on {name}")
    if machine.is_count_machine(name):
        metric = "instructions" if args.metric == "auto" else args.metric
        print("counts: exact per request and independent of the host and its load; compared as they are")
        rec_a, rec_b = (count_record(args.results.parent, name, commit, env) for env in envs)
    else:
        print(how_measured(rec_a, rec_b, envs))
        metric = args.metric if args.metric != "auto" else ("raw" if together(rec_a, rec_b) else "normalized")
    factor = args.factor or comparison.default_factor(metric)
    (old, old_from), (new, new_from) = (measured_versions(r, commit, s) for r, s in
                                        ((rec_a, args.before), (rec_b, args.after)))
    changes = stacks.version_changes(old, new)
    print(f"\n{len(changes)} package(s) differ (versions from {old_from} and {new_from}):")
    for change in changes:
        print(f"  {change}")
    keep = comparison.METRICS[metric]
    # asv's table joins rows on machine and environment: one label for both sides.
    a, b = (comparison.relabel(comparison.load(args.results, name, commit, [env]), env_name="stack", keep=keep)
            for env in envs)
    print(f"\nmetric: {metric}")
    worse = comparison.report(a, b, names=(args.before, args.after), metric=metric, factor=factor,
                              only_changed=args.only_changed, sort=args.sort)
    return 1 if worse else 0


if __name__ == "__main__":
    cli.run(main)
