#!/usr/bin/env python3
"""The scheduled job: refresh the rolling stack, measure it against the commit before, fail if slower.

    tools/gate.py [--pairs "uvicorn:raw gunicorn:flask"] [--factor 1.05] [--as-of today]

1. Re-resolves the rolling stack (tools/refresh_stack.py); when no version
   changed, it stops there with status 0.
2. Commits the stack file, the message listing each change `name old -> new`.
3. Runs `asv continuous --factor F -E <the stack's environment> HEAD~1 HEAD`
   (rounds interleaved between the two commits, STACKBENCH_PROFILE as set,
   the default profile otherwise), on every pair or on --pairs.
4. Prints the version changes again under asv's comparison.

Exit status: 0 when nothing got significantly worse, 1 when something did
(asv continuous's own verdict) or when asv could not measure.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, registry, stacks  # noqa: E402
from tools.lock_stack import parse_date  # noqa: E402
from tools.refresh_stack import STACKS_DIR, add_arguments, commit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--pairs", default="", help='server:framework words, e.g. "uvicorn:raw" (default: all)')
    parser.add_argument("--factor", type=float, default=1.05, help="asv's --factor (default 1.05)")
    args = parser.parse_args()
    as_of = parse_date(args.as_of)
    chosen = registry.pairs_named(args.pairs) if args.pairs else []  # refuse unknown pairs before anything
    changes = stacks.refresh(args.name, as_of, STACKS_DIR)
    if not changes:
        print(f"stack {args.name!r}: no version changed as of {as_of}; nothing to measure")
        return 0
    summary = stacks.refresh_message(args.name, as_of, changes)
    print(summary, end="")
    print(f"committed stacks/{args.name}.txt as {commit(args.name, as_of, changes)}", flush=True)
    bin_dir = Path(sys.executable).parent
    selection = ["-b", registry.asv_pattern(chosen)] if chosen else []
    command = [str(bin_dir / "asv"), "continuous", *selection, "--factor", str(args.factor),
               "-E", stacks.asv_environment(args.name), "HEAD~1", "HEAD"]
    print("$ " + " ".join(command), flush=True)
    # asv's install step finds uv on PATH; it sits next to this interpreter.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    status = subprocess.run(command, cwd=ROOT, env=env).returncode
    print(f"\n{summary}", end="")
    print("gate: " + ("something got significantly worse, or asv could not measure (asv continuous "
                      f"exited {status})" if status else "nothing got significantly worse"))
    return 1 if status else 0


if __name__ == "__main__":
    cli.run(main)
