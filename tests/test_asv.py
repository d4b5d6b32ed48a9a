"""End to end: `asv run` on one stack for two pairs, then `asv publish`.

Runs in a temporary clone of the working tree with its own HOME, so that
asv's machine file and results stay out of the real ones.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackbench import records, registry, stacks
from stackbench.metrics import METRICS

from tools import quickstart

from .conftest import clone_working_tree

pytestmark = pytest.mark.slow

MEASURED = {("Asgi", "uvicorn", "starlette"), ("Wsgi", "gunicorn", "flask")}


@pytest.fixture(scope="module")
def asv_run(tmp_path_factory):
    clone = tmp_path_factory.mktemp("clone")
    clone_working_tree(clone)
    home = tmp_path_factory.mktemp("home")
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "HOME": str(home),
        # Keep using the real package caches: the test is about asv, not downloads.
        "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv")),
        "PIP_CACHE_DIR": str(Path.home() / ".cache" / "pip"),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "STACKBENCH_PROFILE": "quick",
        "STACKBENCH_PAIRS": "uvicorn:starlette gunicorn:flask",
    }
    asv = [str(bin_dir / "asv")]
    subprocess.run([*asv, "machine", "--yes", "--machine", "e2e"], cwd=clone, env=env, check=True,
                   capture_output=True)
    environment = stacks.asv_environment(stacks.CURRENT)
    run = subprocess.run(
        [*asv, "run", "--machine", "e2e", "-E", environment,
         "-b", r"\('uvicorn', 'starlette'|\('gunicorn', 'flask'"],
        cwd=clone, env=env, capture_output=True, text=True,
    )
    publish = subprocess.run([*asv, "publish"], cwd=clone, env=env, capture_output=True, text=True)
    return clone, environment, run, publish


def test_asv_run_succeeds(asv_run):
    _, _, run, _ = asv_run
    assert run.returncode == 0, run.stdout + run.stderr


def test_results_hold_a_finite_value_with_statistics_for_every_metric_and_pair(asv_run):
    clone, environment, _, _ = asv_run
    (path,) = (clone / "results" / "e2e").glob(f"*-{environment}.json")
    data = json.loads(path.read_text())
    assert data["env_name"] == environment
    assert data["env_vars"] == {"STACK": stacks.CURRENT}
    columns = data["result_columns"]
    for interface in ("Asgi", "Wsgi"):
        for metric in METRICS:
            row = dict(zip(columns, data["results"][f"bench_pairs.{interface}.track_{metric.name}"]))
            params = [[json.loads(v.replace("'", '"')) for v in values] for values in row["params"]]
            combos = [(s, f, x) for s in params[0] for f in params[1] for x in params[2]]
            for index, (server, framework, scenario) in enumerate(combos):
                if (interface, server, framework) not in MEASURED:
                    continue
                where = f"{interface} {metric.name} {server} {framework} {scenario}"
                stats = {column: row[column][index] for column in
                         ("result", "stats_ci_99_a", "stats_ci_99_b", "stats_q_25", "stats_q_75")}
                assert all(v is not None and math.isfinite(v) for v in stats.values()), f"{where}: {stats}"
                assert stats["result"] > 0 and stats["stats_q_25"] > 0, where
                # asv stores figures to a few significant digits: compare with that slack.
                for low, high in (("stats_q_25", "result"), ("result", "stats_q_75"),
                                  ("stats_ci_99_a", "result"), ("result", "stats_ci_99_b")):
                    assert stats[low] <= stats[high] * (1 + 1e-4), f"{where}: {low} > {high}: {stats}"
                # (With 3 noisy samples asv's 99% interval may reach below zero: its sign is not checked.)
                assert row["stats_repeat"][index] == 3, where  # the quick profile's repeats


def test_publish_writes_the_site_with_the_summary_page(asv_run):
    clone, _, _, publish = asv_run
    assert publish.returncode == 0, publish.stdout + publish.stderr
    index = (clone / "html" / "index.html").read_text()
    assert '<a href="summary.html">' in index  # asv's navigation bar links the page
    summary_page = (clone / "html" / "summary.html").read_text()
    assert "index.html" in summary_page and "uvicorn" in summary_page  # links back to asv's site


def test_the_record_keeps_every_outcome_with_its_reason(asv_run, capsys):
    clone, environment, _, _ = asv_run
    commit = subprocess.run(["git", "rev-parse", "main"], cwd=clone, capture_output=True, text=True).stdout
    path = records.find(clone, commit.strip(), environment)
    record = records.load(path)
    assert record.stack == stacks.CURRENT and record.env_name == environment
    assert record.versions["uvicorn"] == stacks.load(stacks.CURRENT).pins["uvicorn"]
    by_key = {(o["server"], o["framework"], o["scenario"]): o for o in record.outcomes}
    assert len(by_key) == len(registry.pairs()) * 2
    for (server, framework, _scenario), outcome in by_key.items():
        if (server, framework) in {("uvicorn", "starlette"), ("gunicorn", "flask")}:
            assert outcome["status"] == "measured"
            assert len(outcome["repeats"]) == 3
            assert all(r["wrk"]["requests"] > 0 and r["wrk"]["non_2xx_3xx"] == 0 for r in outcome["repeats"])
        else:
            assert outcome["status"] == "skipped"
            assert outcome["reason"].startswith("not selected by STACKBENCH_PAIRS")
    # The quick start's summary reads the same record.
    assert quickstart.summarize(path) == 0
    assert f"4 measured, {len(by_key) - 4} skipped" in capsys.readouterr().out
