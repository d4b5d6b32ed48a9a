#!/usr/bin/env python3
"""Which package change made a pair costlier between two stacks: move one package at a time.

    tools/culprit.py SERVER:FRAMEWORK --from STACK --to STACK
                     [--metric instructions|estimated_cycles|syscalls|seconds] [--factor F]
                     [--scenario plaintext] [--connections 32] [--packages fastapi,starlette]
                     [--launches 8] [--duration 2] [--warmup 1]
                     [--app MODULE --requires PKG ...] [--find-links DIR] [--stacks-dir DIR]

For every package the pair's part of the two stacks differs in, builds the
--from stack with that package moved to its --to version (and what uv must
move with it), then judges the pair in --from, --to and every such step.
Prints each step's figure, its ratio to --from with asv's mark, and its
share of the whole change, then the answer in one sentence. Everything is
written to records/<machine>/culprit/.

By default it counts (--metric instructions; also estimated_cycles, with
STACKBENCH_COUNT_CYCLES=1, or syscalls): each environment serves the pair
under Callgrind, STACKBENCH_COUNT_REQUESTS requests counted after
STACKBENCH_COUNT_WARMUP (stackbench/settings.py), as many at once as there
are cores; a count is exact, so a step is judged by factor alone, 1.01 by
default. --metric seconds measures wall-clock time instead, the
environments taking turns launch by launch in one session, judged with
asv's significance test at the wall-clock noise floor (1.25 by default);
that test needs 7 samples a side, hence 8 launches by default. `--app` measures your
own ASGI/WSGI module's `app` on that server instead of the framework's
hello world, and `--requires` adds its requirements; `--find-links` lets uv
take packages from a local folder of wheels as well as from PyPI.
"""

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, machine, records, registry, stacks  # noqa: E402
from stackbench.analysis import culprit  # noqa: E402
from stackbench.analysis.comparison import default_factor  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402
from stackbench.measure.wallclock import Workload  # noqa: E402
from stackbench.serve.contract import SCENARIOS  # noqa: E402
from stackbench.session import runner  # noqa: E402
from stackbench.settings import Settings, as_dict, counting_from_environ  # noqa: E402


def the_pair(args: argparse.Namespace) -> registry.Pair:
    found = registry.pairs_named(args.pair, "SERVER:FRAMEWORK")
    if len(found) > 1:
        raise ConfigError(f"{args.pair} names {len(found)} pairs (one per interface); "
                          f"give --interface {' or '.join(p.app.interface for p in found)}")
    pair = found[0] if not args.interface else next(
        (p for p in found if p.app.interface == args.interface), None)
    if pair is None:
        raise ConfigError(f"{args.pair} has no {args.interface} pair")
    if args.app:
        app = registry.App(pair.app.framework, pair.app.interface, (*pair.app.requires, *args.requires), args.app)
        pair = registry.Pair(pair.server, app)
    elif args.requires:
        raise ConfigError("--requires adds your app's requirements: give --app MODULE too")
    return pair


def workload(args: argparse.Namespace) -> Workload:
    scenario = next((s for s in SCENARIOS if s.name == args.scenario), None)
    if scenario is None:
        raise ConfigError(f"--scenario {args.scenario}: not a scenario (known: {', '.join(s.name for s in SCENARIOS)})")
    return Workload(scenario, args.connections)


def report(search: culprit.Search, verdicts: list[culprit.Verdict], key: runner.Key) -> str:
    lines = [f"{search.pair.describe(key.scenario)}, {key.connections} connection(s): "
             f"A = {search.before.name}, B = {search.after.name}",
             f"{'step':<20} {'figure':>26} {'x A':>7} {'mark':>4} {'share':>6}  moves"]
    a = next((v.median for v in verdicts if v.step.name == culprit.BEFORE), None)
    for v in verdicts:
        if v.median is None:
            lines.append(f"{v.step.name:<20} {'failed':>26} {'':>7} {'':>4} {'':>6}  "
                         f"{(v.reason.splitlines() or [''])[0][:120]}")
            continue
        ratio = f"{v.median / a:.3f}" if a else "?"
        share = "" if v.share is None else f"{v.share:.0%}"
        moves = ", ".join(str(m) for m in v.step.moves) if v.step.name != culprit.AFTER else \
            f"all {len(v.step.moves)} changes"
        lines.append(f"{v.step.name:<20} {v.figure():>26} {ratio:>7} {v.mark:>4} {share:>6}  {moves}")
    for name, why in search.not_moved_alone.items():
        lines.append(f"{name:<20} not moved alone: {why}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pair", help="server:framework, e.g. uvicorn:fastapi")
    parser.add_argument("--from", dest="before", required=True, help="the stack before (e.g. 2024-11-23)")
    parser.add_argument("--to", dest="after", required=True, help="the stack after (e.g. latest)")
    parser.add_argument("--interface", choices=registry.INTERFACES)
    parser.add_argument("--scenario", default="plaintext")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--packages", default="", help="move only these (comma-separated); default: every one")
    parser.add_argument("--metric", choices=[*culprit.COUNTED, culprit.SECONDS], default="instructions",
                        help="what to judge on: a count per request (default instructions) or wall-clock seconds")
    parser.add_argument("--launches", type=int, default=8, help="--metric seconds: launches per step")
    parser.add_argument("--duration", type=int, default=2, help="--metric seconds: seconds of load per launch")
    parser.add_argument("--warmup", type=int, default=1, help="--metric seconds: seconds of unrecorded load")
    parser.add_argument("--factor", type=float, help="asv's factor (default 1.01 for counts, 1.25 for seconds)")
    parser.add_argument("--app", default="", help="module whose `app` to serve instead of the framework's")
    parser.add_argument("--requires", nargs="*", default=[], help="requirements of --app")
    parser.add_argument("--find-links", type=Path, help="a folder of wheels uv may install from too")
    parser.add_argument("--stacks-dir", type=Path, default=stacks.STACKS_DIR)
    parser.add_argument("--out", type=Path, help="where to write the findings (default: records/<machine>/culprit/)")
    args = parser.parse_args()
    if args.launches < 1 or args.duration < 1:
        raise ConfigError("--launches and --duration must be at least 1")
    if args.find_links:
        if not args.find_links.is_dir():
            raise ConfigError(f"--find-links {args.find_links}: not a folder")
        os.environ["UV_FIND_LINKS"] = str(args.find_links.resolve())  # uv's resolver and installer read it
    pair, measured = the_pair(args), workload(args)
    before, after = stacks.load(args.before, args.stacks_dir), stacks.load(args.after, args.stacks_dir)
    only = [p.strip() for p in args.packages.split(",") if p.strip()]
    search = culprit.plan(pair, before, after, only)
    print(f"{pair.label}: {len(search.steps) - 2} package(s) to move alone from {before.name} to {after.name}: "
          f"{', '.join(s.name for s in search.steps[1:-1]) or 'none'}", flush=True)
    factor = args.factor or default_factor("seconds" if args.metric == culprit.SECONDS else "instructions")
    # Bad settings are refused before anything is built; only the chosen concurrency is counted.
    counts = replace(counting_from_environ(), connections=(measured.connections,)) \
        if args.metric != culprit.SECONDS else None
    built = culprit.build(search, ROOT / ".asv" / "stackbench-env")
    key = runner.Key(pair.app.interface, pair.server.name, pair.app.framework, measured.scenario.name,
                     measured.connections)
    with tempfile.TemporaryDirectory(prefix="stackbench-culprit-") as workdir:
        if counts is not None:
            print(f"counting {sum(1 for b in built if b.python)} environments: {counts.describe()}", flush=True)
            session = culprit.count(search, built, measured.connections, counts, Path(workdir),
                                    say=lambda line: print(line, flush=True))
            verdicts = culprit.judge_counts(search, session, measured.scenario.name, measured.connections,
                                            args.metric, factor, built)
            settings, recorded = as_dict(counts), session.as_dict()
        else:
            wall = Settings(connections=(measured.connections,), duration=args.duration, runs=1,
                            launches=args.launches, rounds=1, warmup=args.warmup)
            jobs = sum(1 for b in built if b.python)
            progress = runner.Progress(jobs * wall.launches, wall, "culprit", [sys.stdout])
            measured_session = culprit.measure(search, built, (measured,), wall, Path(workdir), progress)
            verdicts = culprit.judge(search, measured_session, key, factor, built)
            settings, recorded = as_dict(wall), records.session_as_dict(measured_session, complete=True)
    answer = culprit.sentence(verdicts, before.name, after.name)
    print("\n" + report(search, verdicts, key) + f"\n\n{answer}")
    name = machine.default_name()
    out = args.out or ROOT / "records" / name / "culprit"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    path = out / f"{stamp}-{pair.server.name}-{pair.app.framework}.json"
    path.write_text(json.dumps({
        "machine": vars(machine.Identity.here(name)),
        "pair": pair.label, "interface": pair.app.interface, "app": pair.app.target,
        "before": before.name, "after": after.name, "metric": args.metric, "factor": factor,
        "scenario": measured.scenario.name, "connections": measured.connections,
        "settings": settings, "answer": answer,
        "steps": [{**asdict(v.step), "verdict": {k: getattr(v, k) for k in ("samples", "median", "mark", "share", "reason")}}
                  for v in verdicts],
        "not_moved_alone": search.not_moved_alone,
        "session": recorded,
    }, indent=1, default=str) + "\n")
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    cli.run(main)
