"""tools/compare.py: two stored runs side by side, on the normalized or raw metric."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from stackbench import stacks

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tests" / "fixtures" / "asv-run" / "results"


def commits() -> list[str]:
    """The fixture's two commits measured on the current stack, oldest first."""
    files = RESULTS.glob(f"fixture/*-{stacks.asv_environment(stacks.CURRENT)}.json")
    dated = sorted((json.loads(f.read_text())["date"], f.name.split("-")[0]) for f in files)
    return [commit for _, commit in dated]


def compare(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "compare.py"), *args,
                           "--results-before", str(RESULTS), "--results-after", str(RESULTS)],
                          capture_output=True, text=True)


def test_compares_the_measured_rows_of_two_runs():
    assert len(commits()) == 2
    runs = [f"fixture:{commit}:{stacks.CURRENT}" for commit in commits()]
    normalized = compare(*runs)
    assert normalized.returncode in (0, 1), normalized.stderr
    # uvicorn + starlette and gunicorn + flask, two scenarios each; daphne + sanic failed on both sides.
    assert "4 rows compared (normalized)" in normalized.stdout
    everything = compare(*runs, "--metric", "all")
    # 6 metrics of those pairs, and the three references' own benchmark.
    assert "27 rows compared (all)" in everything.stdout


def test_an_unknown_run_is_named_in_the_error():
    done = compare("fixture:0000000:latest", f"fixture:{commits()[0]}")
    assert done.returncode != 0
    assert "fixture:0000000:latest" in done.stderr
