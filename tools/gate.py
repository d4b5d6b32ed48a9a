#!/usr/bin/env python3
"""The scheduled job: refresh the rolling stack, count it against the commit before, fail if costlier.

    tools/gate.py [--pairs "uvicorn:raw gunicorn:flask"] [--factor 1.01] [--syscalls-factor 1.25]
                  [--wall-clock] [--wall-clock-factor 1.25] [--as-of today]

1. Re-resolves the rolling stack (tools/refresh_stack.py); when no version
   changed, it stops there with status 0.
2. Commits the stack file, the message listing each change `name old -> new`.
3. Decides on counts: `asv continuous --machine <count machine> -b bench_counts
   --factor F -E <the stack's environment> HEAD~1 HEAD`, instructions, estimated
   cycles (when STACKBENCH_COUNT_CYCLES=1) and system calls per request of
   every pair or of --pairs (bench_counts.py). Instructions and cycles are
   judged at --factor (1.01: counts hardly move with the machine or its
   load), system calls at --syscalls-factor (1.25: how often an event loop
   polls follows timing); stackbench/analysis/comparison.py has the A/A
   figures behind both.
4. With --wall-clock, also `asv continuous -b bench_pairs` at the wall-clock
   noise floor (1.25 by default; finer only raises false alarms here:
   docs/noise.md), rounds interleaved, STACKBENCH_PROFILE as set.
5. Prints the version changes again under asv's comparisons.

Exit status: 0 when nothing got significantly worse, 1 when something did
(asv's marks, each metric at its factor) or when asv could not measure.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, machine, registry, stacks  # noqa: E402
from stackbench.analysis import comparison  # noqa: E402
from stackbench.analysis.comparison import (  # noqa: E402
    COUNT_FACTOR,
    SYSCALLS_FACTOR,
    WALL_CLOCK_FACTOR,
)
from tools.lock_stack import parse_date  # noqa: E402
from tools.refresh_stack import STACKS_DIR, add_arguments, commit  # noqa: E402


def continuous(suite: str, pairs: list[registry.Pair], factor: float, environment: str,
               machine_name: str | None = None) -> int:
    """`asv continuous` of HEAD against HEAD~1 on one suite; its exit status."""
    bin_dir = Path(sys.executable).parent
    chosen = ["--machine", machine_name] if machine_name else []
    command = [str(bin_dir / "asv"), "continuous", *chosen, "-b", registry.asv_pattern(pairs, suite),
               "--factor", str(factor), "-E", environment, "HEAD~1", "HEAD"]
    print("$ " + " ".join(command), flush=True)
    # asv's install step finds uv on PATH; it sits next to this interpreter.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, cwd=ROOT, env=env).returncode


def judge_counts(name: str, environment: str, status: int, factors: dict[str, float]) -> int:
    """HEAD's counts against HEAD~1's, each metric at its factor (asv's own exit status
    judges every metric at one); 1 when a row got worse or nothing was counted."""
    commits = [subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip() for rev in ("HEAD~1", "HEAD")]
    before, after = (comparison.load(ROOT / "results", name, c, [environment]) for c in commits)
    if not before or not after:
        print(f"counts: no results for both commits under {name} (asv continuous exited {status})")
        return 1
    worse = comparison.worse_rows(before, after, factors)
    judged = ", ".join(f"{metric} at {factor}" for metric, factor in factors.items())
    print(f"counts judged: {judged}: {len(worse)} row(s) worse")
    for row in worse:
        print(f"  {row.mark} {row.benchmark}: {row.before} -> {row.after}")
    return 1 if worse else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--pairs", default="", help='server:framework words, e.g. "uvicorn:raw" (default: all)')
    parser.add_argument("--factor", type=float, default=COUNT_FACTOR,
                        help=f"the factor counts are judged at (default {COUNT_FACTOR})")
    parser.add_argument("--syscalls-factor", type=float, default=SYSCALLS_FACTOR,
                        help=f"the factor system calls per request are judged at (default {SYSCALLS_FACTOR})")
    parser.add_argument("--wall-clock", action="store_true", help="also measure wall-clock figures and judge them")
    parser.add_argument("--wall-clock-factor", type=float, default=WALL_CLOCK_FACTOR,
                        help=f"the factor wall-clock figures are judged at (default {WALL_CLOCK_FACTOR}, "
                             "the measured noise floor)")
    args = parser.parse_args()
    as_of = parse_date(args.as_of)
    chosen = registry.pairs_named(args.pairs) if args.pairs else []  # refuse unknown pairs before anything
    counts_machine = machine.count_machine_name()  # and a machine without valgrind
    changes = stacks.refresh(args.name, as_of, STACKS_DIR)
    if not changes:
        print(f"stack {args.name!r}: no version changed as of {as_of}; nothing to measure")
        return 0
    summary = stacks.refresh_message(args.name, as_of, changes)
    print(summary, end="")
    print(f"committed stacks/{args.name}.txt as {commit(args.name, as_of, changes)}", flush=True)
    environment = stacks.asv_environment(args.name)
    status = continuous("bench_counts", chosen, args.factor, environment, counts_machine)
    verdicts = [("counts", judge_counts(counts_machine, environment, status, {
        "instructions": args.factor, "cycles": args.factor, "syscalls": args.syscalls_factor}))]
    if args.wall_clock:
        verdicts.append(("wall-clock", continuous("bench_pairs", chosen, args.wall_clock_factor, environment)))
    print(f"\n{summary}", end="")
    for what, status in verdicts:
        print(f"gate ({what}): " + (f"something got significantly worse, or asv could not measure "
                                    f"(asv continuous exited {status})" if status else
                                    "nothing got significantly worse"))
    return 1 if any(status for _, status in verdicts) else 0


if __name__ == "__main__":
    cli.run(main)
