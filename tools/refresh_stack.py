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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, stacks  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402
from tools.lock_stack import parse_date  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=stacks.CURRENT, help=f"the rolling stack (default: {stacks.CURRENT})")
    parser.add_argument("--as-of", default="today", help="YYYY-MM-DD or 'today' (UTC; the default)")
    parser.add_argument("--no-commit", action="store_true", help="write the file, commit nothing")
    args = parser.parse_args()
    as_of = parse_date(args.as_of)
    stacks_dir = ROOT / "stacks"
    before = stacks.load(args.name, stacks_dir)  # the rolling stack must exist already
    text = before.path.read_text()
    path = stacks.lock(args.name, as_of, stacks_dir)
    changes = stacks.version_changes(before.pins, stacks.Stack.from_file(path).pins)
    if not changes:
        path.write_text(text)  # only the date would differ: keep the file as it was
        print(f"stack {args.name!r}: no version changed as of {as_of}; nothing written")
        return
    message = stacks.refresh_message(args.name, as_of, changes)
    print(message, end="")
    if args.no_commit:
        return
    relative = str(path.relative_to(ROOT))
    done = subprocess.run(["git", "commit", "-q", "-m", message, "--", relative], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigError(f"git could not commit {relative} (the file is written; commit it yourself, or "
                          f"rerun with --no-commit):\n{done.stderr.strip()}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"committed {relative} as {commit}")


if __name__ == "__main__":
    cli.run(main)
