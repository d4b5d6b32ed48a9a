#!/usr/bin/env python3
"""What can `asv continuous` tell apart on this machine? A/A and A/B runs, recorded.

    tools/sensitivity.py [--counts] [--pairs "uvicorn:raw uvicorn:starlette gunicorn:flask"]
                         [--stacks latest,2024-11-23] [--aa 5]
                         [--framework starlette] [--ab-pairs "..."] [--ab-stacks latest]
                         [--slowdowns 10,5,3] [--factor 1.05] [--profile default]

In a throwaway clone of the working tree (your repository, results and
records are not touched):

- A/A: `asv continuous --factor F` between a commit and an empty commit after
  it, `--aa` times, for the chosen pairs and stacks: every flagged row is a
  false alarm.
- A/B: for each slowdown, a commit that turns the calibration switch on
  (calibration.toml: a loop of fixed work per request in `--framework`'s
  apps, as many iterations as take that share of the slowest chosen pair's
  time per request here, measured by the A/A runs), then `asv continuous` against its parent: the
  framework's rows should be flagged worse, nothing else.

With --counts it asks the same of counts (bench_counts under the count
machine, `--factor 1.01` by default): the A/B switch is then set in
instructions, as many loop iterations as add that share of the costliest
chosen pair of the framework (counted under Callgrind,
calibration.instructions_per_iteration), and the A/B pairs default to
every pair of the framework plus uvicorn:raw and gunicorn:flask, which
must not move.

Prints each run's rows and wall time, the false-alarm rate and the smallest
slowdown detected every time, and writes it all to
records/<machine>/sensitivity.json, which the summary page quotes. Exit
status 0 when no A/A row was flagged and the largest slowdown was detected.
"""

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import calibration, cli, machine, registry, stacks, workspace  # noqa: E402
from stackbench.analysis import comparison, sensitivity  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402
from stackbench.settings import PROFILES, as_dict, counting_from_environ, from_environ  # noqa: E402


def asv(clone: Path, command: list[str], *, pairs: str, stacks_: list[str], env: dict[str, str],
        log: Path, counts_machine: str = "") -> float:
    """One asv command (`continuous`, `run`, ...) on the chosen pairs and stacks; its wall time.

    With `counts_machine`, the pairs' count benchmarks under that machine;
    else their wall-clock benchmarks. Its output goes to `log`.
    """
    environments = [a for s in stacks_ for a in ("-E", stacks.asv_environment(s))]
    suite = "bench_counts" if counts_machine else "bench_pairs"
    chosen = ["--machine", counts_machine] if counts_machine else []
    command = [str(Path(sys.executable).parent / "asv"), *command, *chosen,
               "-b", registry.asv_pattern(registry.pairs_named(pairs), suite), *environments]
    started = time.monotonic()
    with log.open("a") as output:
        output.write(f"$ {' '.join(command)}\n")
        output.flush()
        subprocess.run(command, cwd=clone, env=env, stdout=output, stderr=subprocess.STDOUT)
    return time.monotonic() - started


def rows(clone: Path, name: str, before: str, after: str, factor: float) -> list[comparison.Row]:
    """The rows asv compare would mark; under a count machine each count metric at its own factor
    (instructions and cycles at `factor`, system calls at comparison.SYSCALLS_FACTOR), as the gate judges."""
    results = clone / "results"
    a, b = comparison.load(results, name, before), comparison.load(results, name, after)
    if machine.is_count_machine(name):
        return comparison.rows_by_metric(a, b, {"instructions": factor, "cycles": factor,
                                                "syscalls": max(factor, comparison.SYSCALLS_FACTOR)})
    return comparison.rows(a, b, factor)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", action="store_true",
                        help="judge counts (bench_counts, the count machine) instead of wall-clock figures")
    parser.add_argument("--pairs", default="uvicorn:raw uvicorn:starlette gunicorn:flask",
                        help="pairs of the A/A runs")
    parser.add_argument("--stacks", default="latest,2024-11-23", help="stacks of the A/A runs")
    parser.add_argument("--aa", type=int, default=5, help="how many A/A runs")
    parser.add_argument("--framework", default="starlette", help="the app the calibration switch slows")
    parser.add_argument("--ab-pairs", default="",
                        help="pairs of the A/B runs (the framework's, and others that must not move); default "
                             "uvicorn:starlette hypercorn:starlette uvicorn:raw gunicorn:flask, with --counts "
                             "every pair of --framework and uvicorn:raw gunicorn:flask")
    parser.add_argument("--ab-stacks", default=stacks.CURRENT)
    parser.add_argument("--slowdowns", default="10,5,3", help="percent, one A/B run each")
    parser.add_argument("--factor", type=float, help="asv's factor (default 1.05; with --counts 1.01)")
    parser.add_argument("--profile", default="default", choices=sorted(PROFILES))
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="write records/<machine>/sensitivity.json under this folder (default: the repository)")
    args = parser.parse_args()
    args.factor = args.factor or (comparison.COUNT_FACTOR if args.counts else 1.05)
    if not args.ab_pairs:
        args.ab_pairs = (" ".join(f"{p.server.name}:{p.app.framework}" for p in registry.pairs()
                                  if p.app.framework == args.framework) + " uvicorn:raw gunicorn:flask"
                         if args.counts else "uvicorn:starlette hypercorn:starlette uvicorn:raw gunicorn:flask")
    slowdowns = [float(x) / 100 for x in args.slowdowns.split(",") if x.strip()]
    aa_stacks = args.stacks.split(",")
    ab_stacks = args.ab_stacks.split(",")
    for name in {*aa_stacks, *ab_stacks}:
        stacks.load(name)  # a clear error for an unknown stack, before anything runs
    registry.pairs_named(args.pairs, "--pairs")  # and for an unknown pair
    registry.pairs_named(args.ab_pairs, "--ab-pairs")
    counts_machine = machine.count_machine_name() if args.counts else ""
    name = counts_machine or machine.asv_name(None)
    primary = sensitivity.COUNT_PRIMARY if args.counts else sensitivity.PRIMARY
    finding = sensitivity.Finding(
        machine=name, fingerprint=machine.fingerprint(), date=sensitivity.now(), pairs=args.pairs.split(),
        stacks=aa_stacks, framework=args.framework, factor=args.factor,
        settings=as_dict(counting_from_environ() if args.counts else
                         from_environ({**os.environ, "STACKBENCH_PROFILE": args.profile})),
        metric=primary,
    )
    bin_dir = Path(sys.executable).parent
    # STACKBENCH_* variables still override the profile, as for any run.
    env = {**os.environ, "STACKBENCH_PROFILE": args.profile, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    with tempfile.TemporaryDirectory(prefix="stackbench-sensitivity-") as scratch:
        clone = args.keep or Path(scratch)
        clone.mkdir(parents=True, exist_ok=True)
        log = clone.parent / f"{clone.name}-asv.log"
        print(f"working in {clone}; asv's output goes to {log}", flush=True)
        workspace.clone_working_tree(clone)
        base = workspace.commit(clone, "A: as measured")
        twin = workspace.commit(clone, "A': changes nothing")
        for number in range(1, args.aa + 1):
            seconds = asv(clone, ["continuous", "--factor", str(args.factor), base, twin], pairs=args.pairs,
                          stacks_=aa_stacks, env=env, log=log, counts_machine=counts_machine)
            run = sensitivity.judge_aa(rows(clone, name, base, twin, args.factor), seconds)
            finding.aa.append(run)
            finding.save(args.root)
            print(f"A/A {number}/{args.aa}: {len(run.flagged)} of {run.rows} rows flagged "
                  f"({seconds / 60:.1f} min)", flush=True)
            for flagged in run.flagged:
                print(f"    {flagged}")
        if slowdowns:
            # The baseline the cost is set from: A itself, measured with the A/B pairs.
            asv(clone, ["run", f"{base}^!"], pairs=args.ab_pairs, stacks_=ab_stacks, env=env, log=log,
                counts_machine=counts_machine)
            baseline = [r.before for r in rows(clone, name, base, base, args.factor)
                        if sensitivity.is_target(r, args.framework) and primary in r.benchmark
                        and r.before and math.isfinite(r.before)]
            if not baseline:
                raise ConfigError(f"no measured {args.framework} pair among --ab-pairs {args.ab_pairs!r}")
            # The switch adds fixed work: as many loop iterations as take that long here, or count that much.
            per_iteration = calibration.instructions_per_iteration() if args.counts else \
                calibration.seconds_per_iteration()
        for share in slowdowns:
            # -f: the previous B commit holds its results files, which asv has rewritten since.
            subprocess.run(["git", "checkout", "-q", "-f", base], cwd=clone, check=True)
            extra = share * max(baseline)
            iterations = max(1, round(extra / per_iteration))
            calibration.write(clone, calibration.Calibration(args.framework, "", iterations))
            slowed = workspace.commit(clone, f"B: {args.framework} slower by {share:.0%}")
            seconds = asv(clone, ["continuous", "--factor", str(args.factor), base, slowed], pairs=args.ab_pairs,
                          stacks_=ab_stacks, env=env, log=log, counts_machine=counts_machine)
            run = sensitivity.judge_ab(rows(clone, name, base, slowed, args.factor), args.framework, extra,
                                       iterations, seconds, primary=primary,
                                       moved=sensitivity.MOVED_BY_WORK if args.counts else sensitivity.MOVED_BY_CPU)
            finding.ab.append(run)
            finding.save(args.root)
            cost = f"~{extra:,.0f} instructions" if args.counts else f"~{extra * 1e6:.2f} µs"
            print(f"A/B {share:.0%} ({iterations:,} loop iterations, {cost} per request, "
                  f"{seconds / 60:.1f} min):")
            for target in run.targets:
                ratio = f"{target.ratio:.3f}" if target.ratio else "n/a"
                print(f"    {'flagged' if target.flagged else 'MISSED '} slowdown {target.slowdown:5.1%}, "
                      f"measured x{ratio}: {target.benchmark} [{target.environment}]")
            for alarm in run.false_alarms:
                print(f"    false alarm: {alarm}")
    path = finding.save(args.root)
    print(f"\n{finding.sentence()}\nfalse-alarm rate {finding.false_alarm_rate:.2%}; written to {path}")
    largest_found = all(t.flagged for r in finding.ab[:1] for t in r.targets)
    return 0 if not any(r.flagged for r in finding.aa) and largest_found else 1


if __name__ == "__main__":
    cli.run(main)
