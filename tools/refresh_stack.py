#!/usr/bin/env python3
"""Refresh the rolling stack: resolve it again and commit it with every version change in the message.

    tools/refresh_stack.py                      # stack 'latest', as of today (UTC)
    tools/refresh_stack.py --as-of 2026-12-01 --no-commit

The file keeps its name, so its asv environment keeps its name and asv's
graphs follow the stack across commits. The commit holds the stack file
only, and its message lists each change as `name old -> new`. When no
version changed, the file is left as it was and nothing is committed.
"""

import argparse
import subprocess
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, stacks  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402
from tools.lock_stack import parse_date  # noqa: E402

STACKS_DIR = ROOT / "stacks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", default=stacks.CURRENT, help=f"the rolling stack (default: {stacks.CURRENT})")
    parser.add_argument("--as-of", default="today", help="YYYY-MM-DD or 'today' (UTC; the default)")


def commit(name: str, as_of: date, changes: list[stacks.VersionChange]) -> str:
    """Commit the stack file alone with the changes in the message; the new commit's short hash."""
    relative = f"stacks/{name}.txt"
    message = stacks.refresh_message(name, as_of, changes)
    done = subprocess.run(["git", "commit", "-q", "-m", message, "--", relative], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigError(f"git could not commit {relative} (the file is written; commit it yourself, or "
                          f"rerun with --no-commit):\n{done.stderr.strip()}")
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--no-commit", action="store_true", help="write the file, commit nothing")
    args = parser.parse_args()
    as_of = parse_date(args.as_of)
    changes = stacks.refresh(args.name, as_of, STACKS_DIR)
    if not changes:
        print(f"stack {args.name!r}: no version changed as of {as_of}; nothing written")
        return
    print(stacks.refresh_message(args.name, as_of, changes), end="")
    if not args.no_commit:
        print(f"committed stacks/{args.name}.txt as {commit(args.name, as_of, changes)}")


if __name__ == "__main__":
    cli.run(main)
