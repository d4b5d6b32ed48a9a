#!/usr/bin/env python3
"""Print the grid's coverage: every registered pair on every stack, from the latest results.

    tools/coverage.py                    # the machine measured last
    tools/coverage.py --machine vm       # another machine's runs
    tools/coverage.py --readme           # also rewrite the README's coverage table

For each pair and stack, the newest run's verdict: measured, failed (first
line of the reason), skipped (why), client-bound, or not run.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli  # noqa: E402
from stackbench.report import coverage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--machine", help="asv machine name (default: the one measured last)")
    parser.add_argument("--results", type=Path, default=ROOT / "results", help="asv results directory")
    parser.add_argument("--root", type=Path, default=ROOT, help="folder holding records/")
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's coverage table")
    args = parser.parse_args()
    found = coverage.build(args.results, args.root, args.machine)
    table = coverage.report(found)
    print(table, end="")
    if args.readme:
        readme = ROOT / "README.md"
        readme.write_text(coverage.replace_in_readme(readme.read_text(), table))
        print(f"wrote the table into {readme}")


if __name__ == "__main__":
    cli.run(main)
