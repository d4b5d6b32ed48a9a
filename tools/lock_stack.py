#!/usr/bin/env python3
"""Write stacks/NAME.txt: every package the registry needs, pinned as of a date.

    tools/lock_stack.py --as-of 2024-11-23          # writes stacks/2024-11-23.txt
    tools/lock_stack.py --as-of today --name latest # refreshes the rolling stack

The stack is also added to asv.conf.json's matrix, so `asv run` measures it.
"""

import argparse
import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, stacks  # noqa: E402
from stackbench.errors import ConfigError  # noqa: E402


def parse_date(text: str) -> date:
    if text == "today":
        return datetime.now(timezone.utc).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of {text!r} is not a date; give YYYY-MM-DD or 'today'") from None


def register(name: str, config: Path = ROOT / "asv.conf.json") -> bool:
    """Add the stack to asv.conf.json's matrix; False if it was there already."""
    conf = json.loads(config.read_text())
    names = conf["matrix"]["env"]["STACK"]
    if name in names:
        return False
    names.append(name)
    names.sort()
    config.write_text(json.dumps(conf, indent=4) + "\n")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", required=True, help="YYYY-MM-DD or 'today' (UTC)")
    parser.add_argument("--name", help="stack name (default: the date)")
    args = parser.parse_args()
    as_of = parse_date(args.as_of)
    name = args.name or as_of.isoformat()
    path = stacks.lock(name, as_of)
    stack = stacks.Stack.from_file(path)
    print(f"wrote {path.relative_to(ROOT)}: {len(stack.pins)} pins as of {as_of}")
    if register(name):
        print(f"added {name!r} to asv.conf.json's matrix")


if __name__ == "__main__":
    cli.run(main)
