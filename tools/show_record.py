#!/usr/bin/env python3
"""Print a run's record as a table: each pair's throughput, its spread, wrk's load.

    tools/show_record.py records/<host>/<commit>-<environment>.json

Columns: median requests/s over the repeats, their coefficient of variation
(stdev / mean), and how busy wrk kept its own CPU (near 100% means the load
generator, not the server, may have been the limit).
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stackbench import cli, records  # noqa: E402


def rows(record: records.Record) -> list[str]:
    lines = [f"stack {record.stack} (as of {record.as_of}), commit {record.commit[:8]}, {record.env_name}",
             f"{'pair':<28} {'scenario':<10} {'req/s':>9} {'cv':>6} {'wrk cpu':>8}  status"]
    for outcome in record.outcomes:
        pair = f"{outcome['server']} + {outcome['framework']} ({outcome['interface']})"
        if outcome["status"] != "measured":
            reason = outcome["reason"].splitlines()[0][:70]
            lines.append(f"{pair:<28} {outcome['scenario']:<10} {'':>9} {'':>6} {'':>8}  {outcome['status']}: {reason}")
            continue
        repeats = records.repeats(outcome)
        rates = [r.wrk.requests_per_second for r in repeats]
        cv = statistics.stdev(rates) / statistics.mean(rates)
        busy = max(r.wrk_cpu_seconds / r.wrk.duration for r in repeats)
        lines.append(f"{pair:<28} {outcome['scenario']:<10} {statistics.median(rates):>9,.0f} "
                     f"{cv:>6.1%} {busy:>8.0%}  measured")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", type=Path)
    args = parser.parse_args()
    print("\n".join(rows(records.load(args.record))))


if __name__ == "__main__":
    cli.run(main)
