#!/usr/bin/env python3
"""The README's main job: measure the current stack quickly, publish, show where.

Runs `asv run` on the current stack's environment with the quick profile
(unless STACKBENCH_PROFILE says otherwise), then counts two pairs under
Callgrind (uvicorn + raw ASGI, uwsgi + raw WSGI: instructions and system
calls per request, under the count machine; STACKBENCH_QUICK_COUNTS names
others, "" none), then `asv publish`, then prints where the pages are, how
to view them, what was counted, and what failed, with why. Exit
status 0 means every cell was measured or has a recorded reason for not
being (a result too: some pairs do not work together); 1 means the run
itself did not complete.
"""

import argparse
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, machine, records, registry, stacks  # noqa: E402
from stackbench.report import costs  # noqa: E402
from stackbench.serve.contract import SCENARIOS  # noqa: E402
from stackbench.settings import from_environ  # noqa: E402

# Counted by default: an ASGI and a WSGI pair that count fast (~1 min with asv; the grid takes ~40 min).
QUICK_COUNTS = "uvicorn:raw uwsgi:raw"

# asv's own `asv preview` listens on every interface; this listens on loopback only.
SERVE_SITE = f"{sys.executable} -m http.server --bind 127.0.0.1 --directory {ROOT / 'html'} 8080"


def main() -> int:
    # No options: STACKBENCH_PROFILE and the other STACKBENCH_* variables tune it
    # (stackbench/settings.py). Anything else on the command line is refused.
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    env.setdefault("STACKBENCH_PROFILE", "quick")
    # asv's install step finds uv on PATH; it sits next to this interpreter.
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    asv = str(bin_dir / "asv")
    environment = stacks.asv_environment(stacks.CURRENT)
    print(f"asv run -E {environment} (STACKBENCH_PROFILE={env['STACKBENCH_PROFILE']})", flush=True)
    subprocess.run([asv, "run", "-E", environment, "-b", "^bench_(pairs|reference)"], cwd=ROOT, env=env)
    counted = registry.pairs_named(os.environ.get("STACKBENCH_QUICK_COUNTS", QUICK_COUNTS),
                                   "STACKBENCH_QUICK_COUNTS")
    if counted:
        name = machine.count_machine_name()
        command = [asv, "run", "--machine", name, "-E", environment,
                   "-b", registry.asv_pattern(counted, "bench_counts")]
        print(f"\n{' '.join(command)}", flush=True)
        subprocess.run(command, cwd=ROOT, env=env)
    subprocess.run([asv, "publish"], cwd=ROOT, env=env, check=True)
    commit = subprocess.run(
        ["git", "rev-parse", "main"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"\npages: {ROOT / 'html' / 'summary.html'} (servers x frameworks; opens from file://)\n"
          f"       {ROOT / 'html' / 'index.html'} (asv's site reads JSON, which browsers refuse from\n"
          f"       file://: serve it with `{SERVE_SITE}`, then open http://127.0.0.1:8080/)")
    if counted:
        say_counts(commit, environment)
    found = records.invocations(ROOT, machine.asv_name(None), commit, environment)
    levels = len(from_environ(env).connections)
    return summarize(found[-1] if found else None, expected=len(registry.pairs()) * len(SCENARIOS) * levels)


def say_counts(commit: str, environment: str) -> None:
    """What this commit's counts say, per pair at one connection."""
    mine = [c for c in costs.collect(ROOT) if c.commit == commit and c.connections == 1
            and c.stack == stacks.CURRENT]
    print(f"counts of {commit[:8]} ({environment}), per request at 1 connection:")
    for cell in sorted(mine, key=lambda c: (c.interface, c.label, c.scenario)):
        figures = (f"{cell.instructions:,.0f} instructions, {cell.syscalls:.2f} system calls"
                   if cell.status == "counted" else f"{cell.status}: {cell.reason.splitlines()[0][:200]}")
        print(f"  {cell.interface.upper()} {cell.label} {cell.scenario}: {figures}")
    if not mine:
        print("  none: see asv's output above")


def summarize(record: records.Record | None, *, expected: int) -> int:
    """Say what the run measured and what failed; 1 if it did not complete."""
    if record is None or not record.sessions:
        print("ERROR: the run left no record: it did not get to measure; see asv's output above",
              file=sys.stderr)
        return 1
    outcomes = list(record.rounds()[-1].outcomes.values())
    by_status = Counter(o.status for o in outcomes)
    print(f"record of {record.invocation['id']} ({record.machine['name']}, {record.env_name}): "
          + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    for outcome in outcomes:
        if outcome.status in ("failed", "client-bound"):
            key = outcome.key
            print(f"  {outcome.status}: {key.server} + {key.framework} {key.scenario} c{key.connections}: "
                  f"{outcome.reason.splitlines()[0][:300]}")
    if len(outcomes) < expected:
        print(f"ERROR: only {len(outcomes)} of {expected} outcomes recorded: the run was cut short",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    cli.run(main)
