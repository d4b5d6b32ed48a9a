#!/usr/bin/env python3
"""Does the harness change what it measures? Compare it with wrk run by hand.

    tools/compare_with_wrk.py --python ENV_PYTHON [--rounds 3]

Back to back, `rounds` times, alternating which goes first: the harness
measures uvicorn + raw ASGI (plaintext, default settings), and the same
server is started by hand with the same command line and loaded with plain
`wrk -t1 -c32 -d3s --latency` (no Lua script), pinned as the harness pins
(taskset: server on the first CPU, wrk on the second). Prints each round and
the ratio of the medians, harness / by hand.
"""

import argparse
import dataclasses
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stackbench import cli, registry  # noqa: E402
from stackbench.measure.wallclock import Placement, Workload, launch  # noqa: E402
from stackbench.measure.wrk import parse_text  # noqa: E402
from stackbench.serve.contract import SCENARIOS, fetch  # noqa: E402
from stackbench.serve.server import HOST, free_port  # noqa: E402
from stackbench.settings import PROFILES  # noqa: E402

# Seven 3-second runs after a 2-second warm-up, against one server launch, both ways.
SETTINGS = dataclasses.replace(PROFILES["default"], runs=7, duration=3, warmup=2)


def by_hand(pair: registry.Pair, python: str, placement: Placement) -> list[float]:
    """What someone at a shell would do: taskset, the server, sleep, wrk."""
    server_cpu, wrk_cpu = (str(min(c)) for c in (placement.server, placement.load))
    port = free_port()
    argv = pair.server.argv(python=python, target=pair.app.target, host=HOST, port=port)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(["taskset", "-c", server_cpu, *argv], env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(HOST, port, "/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        url = f"http://{HOST}:{port}/"
        wrk = ["taskset", "-c", wrk_cpu, shutil.which("wrk"), "-t1", f"-c{SETTINGS.loaded}"]
        subprocess.run([*wrk, f"-d{SETTINGS.warmup}s", url], capture_output=True, check=True)
        rates = []
        for _ in range(SETTINGS.runs):
            out = subprocess.run([*wrk, f"-d{SETTINGS.duration}s", "--latency", url],
                                 capture_output=True, text=True, check=True).stdout
            result = parse_text(out)
            if result.problems():
                raise SystemExit(f"wrk by hand saw {result.problems()}:\n{out}")
            rates.append(result.requests_per_second)
        return rates
    finally:
        os.killpg(server.pid, pair.server.stop_signal)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", required=True, help="interpreter of a stack's environment")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pair = registry.find_pair("asgi", "uvicorn", "raw")
    placement = Placement.split()
    if placement.server is None:
        raise SystemExit("needs at least 2 CPUs")
    def through_harness() -> list[float]:
        with tempfile.TemporaryDirectory() as workdir:
            measured = launch(pair, (Workload(SCENARIOS[0], SETTINGS.loaded),), SETTINGS,
                              python=args.python, workdir=Path(workdir), placement=placement)
        return [run.wrk.requests_per_second for run in measured.results[0].runs]

    harness_rates, hand_rates = [], []
    for number in range(1, args.rounds + 1):
        # Alternate which goes first, so that drift over time favours neither.
        if number % 2:
            harness, hand = through_harness(), by_hand(pair, args.python, placement)
        else:
            hand, harness = by_hand(pair, args.python, placement), through_harness()
        harness_rates += harness
        hand_rates += hand
        print(f"round {number}: harness {statistics.median(harness):,.0f} req/s, "
              f"by hand {statistics.median(hand):,.0f} req/s")
    harness_median, hand_median = statistics.median(harness_rates), statistics.median(hand_rates)
    print(f"{pair.label}, {SETTINGS.runs} x {SETTINGS.duration} s after {SETTINGS.warmup} s: "
          f"harness {harness_median:,.0f} req/s, by hand {hand_median:,.0f} req/s, ratio {harness_median / hand_median:.3f} "
          f"({len(harness_rates)} runs each)")


if __name__ == "__main__":
    cli.run(main)
