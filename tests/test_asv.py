"""End to end with asv: `asv run` and `asv publish`, then A/A and A/B with `asv continuous`.

Runs in temporary clones of the working tree with their own HOME, so that
asv's machine file, results and records stay out of the real ones. Small
settings (2 launches x 2 rounds of 1 s runs) keep it to minutes.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from asv.machine import Machine

from stackbench import machine, records, stacks
from stackbench.analysis import sensitivity
from stackbench.asv.metrics import METRICS
from stackbench.session import reference
from stackbench.session.runner import Key
from stackbench.workspace import clone_working_tree
from tools import quickstart

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MACHINE = "e2e-machine"
MEASURED = {("Asgi", "uvicorn", "starlette"), ("Wsgi", "gunicorn", "flask")}
SELECT = r"\('uvicorn', 'starlette'|\('gunicorn', 'flask'"
SMALL = {"STACKBENCH_PROFILE": "quick", "STACKBENCH_LAUNCHES": "2", "STACKBENCH_ROUNDS": "2"}


def asv_env(home: Path, **extra: str) -> dict[str, str]:
    bin_dir = Path(sys.executable).parent
    # The machine file as tools/bootstrap.sh writes it: our name under the host name's key.
    machine.register(MACHINE, Machine.get_defaults(), machine.asv_machine_file(home))
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("STACKBENCH_")},
        "HOME": str(home),
        # Keep using the real package caches: the test is about asv, not downloads.
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv")),
        "PIP_CACHE_DIR": str(Path.home() / ".cache" / "pip"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        **extra,
    }


@pytest.fixture(scope="module")
def asv_run(tmp_path_factory):
    clone = tmp_path_factory.mktemp("clone")
    clone_working_tree(clone)
    env = asv_env(tmp_path_factory.mktemp("home"), **SMALL)
    asv = str(Path(sys.executable).parent / "asv")
    environment = stacks.asv_environment(stacks.CURRENT)
    run = subprocess.run([asv, "run", "-E", environment, "-b", SELECT], cwd=clone, env=env, capture_output=True,
                         text=True)
    publish = subprocess.run([asv, "publish"], cwd=clone, env=env, capture_output=True, text=True)
    return clone, environment, run, publish


def results_file(clone: Path, environment: str) -> dict:
    (path,) = (clone / "results" / MACHINE).glob(f"*-{environment}.json")
    return json.loads(path.read_text())


def the_record(clone: Path, environment: str) -> records.Record:
    commit = subprocess.run(["git", "rev-parse", "main"], cwd=clone, capture_output=True, text=True).stdout.strip()
    (record,) = records.invocations(clone, MACHINE, commit, environment)
    return record


def test_asv_run_succeeds_under_this_machines_name(asv_run):
    clone, _, run, _ = asv_run
    assert run.returncode == 0, run.stdout + run.stderr
    # Progress reaches asv's own output while it runs, though it is a pipe here, not a terminal.
    assert re.search(r"\[stack latest\] \d+/\d+ .* elapsed, ~.* left", run.stdout), run.stdout[-3000:]
    assert (clone / "results" / MACHINE / "machine.json").is_file()
    assert list((clone / "records").glob("*/*/*.partial.json")) == []


def test_track_benchmarks_tell_asv_their_rounds(asv_run):
    clone, _, _, _ = asv_run
    benchmarks = json.loads((clone / "results" / "benchmarks.json").read_text())
    wall_clock = {name: b for name, b in benchmarks.items() if name.startswith(("bench_pairs.", "bench_reference."))}
    assert wall_clock and all(b["rounds"] == 2 for b in wall_clock.values())
    # Counts are exact: asv keeps one value per cell, no rounds to interleave.
    counts = {name: b for name, b in benchmarks.items() if name.startswith("bench_counts.")}
    assert counts and all("rounds" not in b for b in counts.values())


def test_each_round_hands_its_own_launches_to_asv_once(asv_run):
    clone, environment, _, _ = asv_run
    data = results_file(clone, environment)
    record = the_record(clone, environment)
    (session,) = record.sessions
    rounds = records.session_from_dict(session).rounds
    assert len(rounds) == 2  # asv ran two rounds from one setup_cache: both were measured
    columns = data["result_columns"]
    checked = 0
    for interface in ("Asgi", "Wsgi"):
        for metric in METRICS:
            row = dict(zip(columns, data["results"][f"bench_pairs.{interface}.track_{metric.name}"]))
            params = [[json.loads(v.replace("'", '"')) for v in values] for values in row["params"]]
            combos = [(s, f, x, c) for s in params[0] for f in params[1] for x in params[2] for c in params[3]]
            for index, (server, framework, scenario, connections) in enumerate(combos):
                if (interface, server, framework) not in MEASURED:
                    continue
                where = f"{interface} {metric.name} {server} {framework} {scenario} {connections}"
                key = Key(interface.lower(), server, framework, scenario, connections)
                statuses = {r.get(key).status for r in rounds}
                if statuses != {"measured"}:
                    # wrk's core was >= 90% busy in a round (a neighbour suffices): that
                    # round gave asv no figure for this row, by design; nothing else may happen.
                    assert statuses <= {"measured", "client-bound"}, where
                    continue
                checked += 1
                assert row["stats_repeat"][index] == 4, where  # 2 rounds x 2 launches, none counted twice
                samples = [s for r in rounds for s in r.get(key).samples]
                expected = statistics.median(metric.samples(samples))
                assert math.isclose(row["result"][index], expected, rel_tol=1e-4), where
                assert len({s.launch for s in samples}) == 4, where
    # 2 pairs x 2 scenarios x 2 levels x each metric: most rows were compared, not skipped.
    assert checked >= len(METRICS) * 8 // 2


def test_only_the_selected_pairs_were_launched(asv_run):
    clone, environment, _, _ = asv_run
    record = the_record(clone, environment)
    rounds = record.rounds()
    measured = {(k.server, k.framework) for r in rounds for (_, k), o in r.outcomes.items() if o.samples}
    assert measured == {("uvicorn", "starlette"), ("gunicorn", "flask")}
    assert record.machine["name"] == MACHINE and "asv" in record.invocation["command"]
    assert record.versions["uvicorn"] == stacks.load(stacks.CURRENT).pins["uvicorn"]
    assert {r.reference for r in rounds[0].readings} == {r.name for r in reference.REFERENCES}
    # The quick start's summary reads the same record.
    assert quickstart.summarize(record, expected=2 * 2 * 2) == 0  # pairs x scenarios x concurrencies


def test_publish_writes_the_site_with_the_summary_page(asv_run):
    clone, _, _, publish = asv_run
    assert publish.returncode == 0, publish.stdout + publish.stderr
    index = (clone / "html" / "index.html").read_text()
    assert '<a href="summary.html">' in index  # asv's navigation bar links the page
    summary_page = (clone / "html" / "summary.html").read_text()
    assert "index.html" in summary_page and "uvicorn" in summary_page and MACHINE in summary_page


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory):
    """tools/sensitivity.py at test size: 1 A/A run, 1 A/B run slowing raw ASGI 6x.

    The factor (3) and the slowdown (+500%) are far from this machine's noise,
    so that the test checks the tool's logic, never the noise.
    """
    clone = tmp_path_factory.mktemp("sensitivity")
    out = tmp_path_factory.mktemp("out")
    env = asv_env(tmp_path_factory.mktemp("home"), STACKBENCH_LAUNCHES="2", STACKBENCH_ROUNDS="2")
    pairs = "uvicorn:raw uvicorn:starlette"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sensitivity.py"), "--pairs", pairs, "--stacks", stacks.CURRENT,
         "--aa", "1", "--framework", "raw", "--ab-pairs", pairs, "--ab-stacks", stacks.CURRENT,
         "--slowdowns", "500", "--factor", "3", "--profile", "quick", "--keep", str(clone / "work"),
         "--root", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    return done, sensitivity.load(out / "records" / MACHINE / sensitivity.FILE)


def test_aa_flags_nothing(calibrated):
    done, finding = calibrated
    assert done.returncode == 0, done.stdout + done.stderr
    (run,) = finding.aa
    assert run.rows == len(METRICS) * 2 * 2 * 2  # 2 pairs x 2 scenarios x 2 concurrencies
    assert run.flagged == []


def test_ab_flags_the_slowed_app_on_its_rows_and_nothing_else(calibrated):
    _, finding = calibrated
    (run,) = finding.ab
    targets = {t.benchmark.split("(")[1] for t in run.targets}
    # Every row of the slowed app is a target, none of another app. At 32 connections
    # uvicorn + raw can drive wrk's core past the client-bound limit (a busy neighbour
    # suffices): such a row has no figure to compare and is no target. One connection never does.
    expected = {f"'uvicorn', 'raw', '{scenario}', {connections})"
                for scenario in ("json", "plaintext") for connections in (1, 32)}
    assert {f"'uvicorn', 'raw', '{scenario}', 1)" for scenario in ("json", "plaintext")} <= targets <= expected
    for target in run.targets:
        # The cost is 500% of the slowest raw row's time in a first measurement; each row's
        # own baseline, measured again by the A/B run, moves with the machine: well above 250%.
        assert target.flagged and target.slowdown > 2.5 and target.ratio > 3
    assert run.false_alarms == []
    assert finding.detectable is not None and finding.detectable > 2.5


@pytest.mark.slow
def test_sigterm_to_asv_leaves_no_process_of_the_run_forkserver_included(asv_run, tmp_path):
    """As a CI time limit ends a run: SIGTERM to `asv run` while a pair is measured. The servers,
    wrk and asv's forkserver (`benchmark.py run_server`, which imports the suite) all end."""
    clone, environment, _, _ = asv_run
    (tmp_path / "home").mkdir()
    env = asv_env(tmp_path / "home", **{**SMALL, "STACKBENCH_LAUNCHES": "20"})
    asv = str(Path(sys.executable).parent / "asv")
    token = str(clone)  # every process of the run has the clone in its command line
    with subprocess.Popen([asv, "run", "-E", environment, "-b", r"^bench_pairs.*\('uvicorn', 'raw'"], cwd=clone,
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as run:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any("-m uvicorn" in c for c in commands_with(token)):
            time.sleep(0.2)
        running = commands_with(token)
        assert any("-m uvicorn" in c for c in running), "a server was being measured"
        assert any(" run_server " in c for c in running), "asv's forkserver was running"
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=60)
    deadline = time.monotonic() + 30
    while commands_with(token) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert commands_with(token) == []


def commands_with(token: str) -> list[str]:
    """The command lines of live processes that hold `token` (for checks, never kills)."""
    return [" ".join(p.info["cmdline"]) for p in psutil.process_iter(["cmdline", "status"])
            if p.info["status"] != psutil.STATUS_ZOMBIE and token in " ".join(p.info["cmdline"] or ())]
