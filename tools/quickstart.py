#!/usr/bin/env python3
"""The README's main job: measure the current stack quickly, publish, show where.

Runs `asv run` on the current stack's environment with the quick profile
(unless STACKBENCH_PROFILE says otherwise), then `asv publish`, then prints
the path of the page. A pair that fails is reported and the rest is still
published; the exit status is then asv's (2).
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, stacks  # noqa: E402


def main() -> int:
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ)
    env.setdefault("STACKBENCH_PROFILE", "quick")
    # asv's install step finds uv on PATH; it sits next to this interpreter.
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    asv = str(bin_dir / "asv")
    environment = stacks.asv_environment(stacks.CURRENT)
    print(f"asv run -E {environment} (STACKBENCH_PROFILE={env['STACKBENCH_PROFILE']})", flush=True)
    measured = subprocess.run([asv, "run", "-E", environment], cwd=ROOT, env=env)
    subprocess.run([asv, "publish"], cwd=ROOT, env=env, check=True)
    print(f"\npage: {ROOT / 'html' / 'index.html'}")
    if measured.returncode != 0:
        print(
            f"asv run exited with status {measured.returncode}: some pairs failed; "
            "`asv show` or `asv run -e` shows why",
            file=sys.stderr,
        )
    return measured.returncode


if __name__ == "__main__":
    cli.run(main)
