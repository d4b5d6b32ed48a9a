#!/usr/bin/env python3
"""Print a run's record as a table: each cell's throughput, its spread, wrk's load.

    tools/show_record.py records/<machine>/<commit>-<environment>/<invocation>.json

One block per round: median requests/s over the launches, their coefficient
of variation (stdev / mean), how busy wrk kept its own CPU (near 100% means
the load generator, not the server, set the pace), the response check, and
the references read in that round.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stackbench import cli, records  # noqa: E402


def rows(record: records.Record) -> list[str]:
    lines = [f"stack {record.stack} (as of {record.as_of}), commit {record.commit[:8]}, {record.env_name}, "
             f"machine {record.machine['name']}, invocation {record.invocation['id']}"]
    if record.calibration:
        lines.append(f"calibration switch ON: {record.calibration}")
    for number, round_ in enumerate(record.rounds(), 1):
        lines.append(f"round {number}")
        lines.append(f"  {'pair':<30} {'scenario':<10} {'conn':>4} {'req/s':>9} {'cv':>6} {'wrk cpu':>8} "
                     f"{'checked':>9}  status")
        for outcome in round_.outcomes.values():
            key = outcome.key
            pair = f"{key.server} + {key.framework} ({key.interface})"
            head = f"  {pair:<30} {key.scenario:<10} {key.connections:>4}"
            if not outcome.samples:
                lines.append(f"{head} {'':>9} {'':>6} {'':>8} {'':>9}  {outcome.status}: "
                             f"{outcome.reason.splitlines()[0][:70]}")
                continue
            rates = [s.result.requests_per_second for s in outcome.samples]
            cv = statistics.stdev(rates) / statistics.mean(rates) if len(rates) > 1 else 0.0
            busy = max(s.result.client_busy for s in outcome.samples)
            checked = sum(s.result.check.checked for s in outcome.samples if s.result.check)
            lines.append(f"{head} {statistics.median(rates):>9,.0f} {cv:>6.1%} {busy:>8.0%} {checked:>9,}  "
                         f"{outcome.status}")
        for reading in round_.readings:
            figure = f"{reading.seconds * 1e9:,.0f} ns" if reading.client_busy is None else \
                f"{1 / reading.seconds:,.0f} req/s, wrk {reading.client_busy:.0%}"
            lines.append(f"  reference {reading.reference}: {figure}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path)
    args = parser.parse_args()
    print("\n".join(rows(records.load(args.record))))


if __name__ == "__main__":
    cli.run(main)
