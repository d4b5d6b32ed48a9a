#!/usr/bin/env python3
"""Measure where this machine's noise lives, and which reference cancels its drift.

    tools/noise.py [--pairs "uvicorn:raw gunicorn:flask"] [--stacks latest,2024-11-23]
                   [--sessions 4] [--pause 0] [--launches 6] [--runs 3] [--duration 2]
    tools/noise.py --analyse FILE [FILE ...]     (study files, or asv runs' records)

Runs `--sessions` sessions (`--pause` minutes apart), each launching every
pair in every stack `--launches` times, round-robin, with `--runs` wrk runs
per launch and the references read every minute, exactly as a suite run
does. Each session is saved (records/<machine>/noise/) as it ends, so a long
study can be stopped at any time and analysed later, files of several days
together. Prints, per cell: the coefficient of variation within a launch,
between launches and between sessions, the runs per launch that give the
tightest interval for the time (Kalibera & Jones), and how much the
session means move raw and divided by each reference candidate.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, machine, records, registry, stacks  # noqa: E402
from stackbench.analysis import noise  # noqa: E402
from stackbench.session import reference, runner  # noqa: E402
from stackbench.session.runner import Environment, Job, Progress, run_session, workloads  # noqa: E402
from stackbench.settings import Settings, as_dict  # noqa: E402

# Seconds a launch costs besides its recorded runs: start, contract checks,
# warm-up, stop (measured here: ~1.5 s with a 1 s warm-up).
LAUNCH_OVERHEAD = 1.5


def measure(args: argparse.Namespace) -> list[Path]:
    settings = Settings(duration=args.duration, runs=args.runs, launches=args.launches, rounds=1,
                        warmup=args.warmup, connections=(args.connections,))
    envs = {name: stacks.stack_environment(name) for name in args.stacks.split(",")}
    jobs = [Job(pair, workloads(settings.connections), python=python, tag=name)
            for name, python in envs.items() for pair in registry.pairs_named(args.pairs)]
    out = ROOT / "records" / machine.default_name() / "noise"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    written = []
    for number in range(args.sessions):
        if number and args.pause:
            print(f"pausing {args.pause} min", flush=True)
            time.sleep(args.pause * 60)
        with tempfile.TemporaryDirectory(prefix="stackbench-noise-") as workdir:
            where = Environment(next(iter(envs.values())), Path(workdir), frozen_python=reference.frozen_python())
            progress = Progress(len(jobs) * settings.launches, settings, f"noise {number + 1}/{args.sessions}",
                                [sys.stdout])
            session = run_session(jobs, settings, where, progress=progress)
        path = out / f"{stamp}-{number + 1:02d}.json"
        path.write_text(json.dumps({
            "machine": vars(machine.Identity.here(machine.default_name())),
            "settings": as_dict(settings),
            "stacks": list(envs),
            "session": records.session_as_dict(session, complete=True),
        }, indent=1) + "\n")
        written.append(path)
        print(f"saved {path.relative_to(ROOT)}", flush=True)
    return written


def retagged(session: runner.Session, tag: str) -> runner.Session:
    """The session with every outcome tagged `tag` (an asv record's stack)."""
    rounds = [replace(r, outcomes={(tag, key): replace(o, tag=tag) for (_, key), o in r.outcomes.items()})
              for r in session.rounds]
    return replace(session, rounds=rounds)


def load_sessions(path: Path) -> tuple[list[runner.Session], dict, str]:
    """The sessions of a noise study file, or of an asv run's record (tagged with its stack)."""
    data = json.loads(path.read_text())
    if "session" in data:  # written by this tool
        return [records.session_from_dict(data["session"])], data["settings"], data["machine"]["name"]
    record = records.load(path)
    sessions = [retagged(records.session_from_dict(s), record.stack) for s in record.sessions]
    return sessions, record.settings, record.machine["name"]


def analyse(paths: list[Path]) -> None:
    sessions, settings, machines = [], None, set()
    for path in paths:
        found, found_settings, machine_name = load_sessions(path)
        sessions += found
        settings = settings or found_settings
        machines.add(machine_name)
    print(f"{len(sessions)} sessions from {len(paths)} files; machine(s): {', '.join(sorted(machines))}")
    cells: dict[str, list[list[list[float]]]] = {}
    for session in sessions:
        for round_ in session.rounds:
            for (tag, key), outcome in round_.outcomes.items():
                if outcome.status == "measured":
                    name = f"{key.server} + {key.framework} {key.scenario} [{tag}]"
                    cells.setdefault(name, []).append(noise.cell_runs(outcome))
    print(f"\ncoefficients of variation of seconds per request (runs of {settings['duration']} s); "
          "optimal runs per launch after Kalibera & Jones")
    print(f"{'cell':<46} {'req/s':>8} {'in launch':>9} {'launches':>9} {'sessions':>9} "
          f"{'sess.means':>10} {'opt runs':>8}")
    optimal = []
    for name, per_session in sorted(cells.items()):
        c = noise.components(per_session)
        best = c.optimal_runs(LAUNCH_OVERHEAD + settings["warmup"], settings["duration"])
        optimal.append(best)
        print(f"{name:<46} {1 / c.mean:>8,.0f} {c.within_launch:>9.2%} {c.between_launches:>9.2%} "
              f"{c.between_sessions:>9.2%} {c.session_means_cv:>10.2%} {best:>8.2f}")
    finite = [x for x in optimal if x != float("inf")]
    if finite:
        print(f"median optimal runs per launch: {statistics.median(finite):.2f}")
    names = [r.name for r in reference.REFERENCES]
    table = noise.stability(sessions, names)
    print("\nCV of session means across sessions: raw, and divided by each reference")
    print(f"{'cell':<46} {'raw':>8} " + " ".join(f"{n:>15}" for n in names))
    columns: dict[str, list[float]] = {}
    for cell, by_candidate in sorted(table.items()):
        for candidate, value in by_candidate.items():
            columns.setdefault(candidate, []).append(value)
        print(f"{cell:<46} {by_candidate.get('raw', float('nan')):>8.2%} "
              + " ".join(f"{by_candidate.get(n, float('nan')):>15.2%}" for n in names))
    print(f"{'median over cells':<46} " + " ".join(
        f"{statistics.median(columns[c]):>{8 if c == 'raw' else 15}.2%}" for c in ("raw", *names) if c in columns))
    readings: dict[str, list[float]] = {}
    for session in sessions:
        for round_ in session.rounds:
            for reading in round_.readings:
                readings.setdefault(reading.reference, []).append(reading.seconds)
    print("\nreferences: mean and CV of all readings")
    for name, values in readings.items():
        cv = statistics.stdev(values) / statistics.fmean(values) if len(values) > 1 else 0.0
        print(f"  {name:<16} {statistics.fmean(values):.3e} s  cv {cv:.2%}  ({len(values)} readings)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default="uvicorn:raw uvicorn:starlette gunicorn:flask")
    parser.add_argument("--stacks", default=stacks.CURRENT)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--pause", type=float, default=0.0, help="minutes between sessions")
    parser.add_argument("--launches", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--analyse", nargs="+", type=Path, metavar="FILE", help="only analyse saved sessions")
    args = parser.parse_args()
    analyse(args.analyse if args.analyse else measure(args))


if __name__ == "__main__":
    cli.run(main)
