#!/usr/bin/env python3
"""asv's install step: put a stack's pins into an asv environment.

asv.conf.json runs this once per environment and commit, with the stack's
name in $STACK (from the matrix) and the checkout of the commit being
measured, so the stack file comes from that commit and a commit that changes
a stack shows up in `asv compare`. uv installs it when found, else pip.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stackbench import cli, stacks  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="the environment's interpreter")
    parser.add_argument("--checkout", required=True, type=Path, help="checkout of the commit measured")
    parser.add_argument("--stack", default=os.environ.get("STACK"), help="stack name (default: $STACK)")
    args = parser.parse_args()
    if not args.stack:
        raise ConfigError("no stack named: set STACK (asv.conf.json's matrix does) or pass --stack")
    stack = stacks.load(args.stack, args.checkout / "stacks")
    print(f"installing stack {stack.name!r} ({len(stack.pins)} pins) into {args.python}", flush=True)
    stacks.install(stack.path, args.python)


if __name__ == "__main__":
    cli.run(main)
