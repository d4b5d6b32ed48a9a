"""tools/compare.py: two stored runs side by side, on the normalized or raw metric."""

from __future__ import annotations

import itertools
import json
import shutil
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


# -- tools/compare_stacks.py: two stacks at one commit ----------------------------------------

STACK_COMMIT = "50da6cef"


def stored_figure(stack: str, benchmark: str, params: tuple[str, ...], results: Path = RESULTS) -> float:
    """A figure read straight from asv's results file (cartesian product of the parameters)."""
    [path] = results.glob(f"fixture/{STACK_COMMIT}-{stacks.asv_environment(stack)}.json")
    values, grid = json.loads(path.read_text())["results"][benchmark][:2]
    return values[list(itertools.product(*grid)).index(tuple(params))]


def compare_stacks(*args: str, results: Path = RESULTS) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "compare_stacks.py"), *args,
                           "--machine", "fixture", "--results", str(results)], capture_output=True, text=True)


def test_compares_two_stacks_of_one_commit_with_their_version_changes():
    done = compare_stacks("2024-11-23", "latest", "--sort", "ratio")
    assert done.returncode in (0, 1), done.stderr
    out = done.stdout
    assert out.startswith(f"2024-11-23 -> latest at commit {STACK_COMMIT} on fixture")
    # Run one stack after the other (not interleaved): said, and the normalized metric is used.
    assert "NOT measured in one session: one asv invocation" in out and "metric: normalized" in out
    assert "  starlette 0.41.3 -> 1.10.0\n" in out and "  fastapi 0.115.5 -> 0.165.0\n" in out
    assert "  sniffio 1.3.1 -> (absent)\n" in out
    assert "58 package(s) differ" in out
    assert "4 rows compared (normalized)" in out
    benchmark = "bench_pairs.Asgi.track_normalized_seconds_per_request"
    params = ("'uvicorn'", "'starlette'", "'json'", "32")
    ratio = stored_figure("latest", benchmark, params) / stored_figure("2024-11-23", benchmark, params)
    [row] = [line for line in out.splitlines() if "('uvicorn', 'starlette', 'json', 32)" in line]
    assert f"{ratio:.2f}" in row.split("|")[4]
    # --sort ratio: the largest ratio first.
    measured = [line for line in out.splitlines() if "track_normalized" in line and "n/a" not in line
                and "failed" not in line]
    assert "('uvicorn', 'starlette', 'json', 32)" in measured[0]


def test_stacks_measured_together_are_compared_raw(tmp_path):
    copy = tmp_path / "asv-run"
    shutil.copytree(RESULTS.parent, copy)
    for path in (copy / "records").glob(f"fixture/{STACK_COMMIT}-*/*.json"):
        data = json.loads(path.read_text())
        data["invocation"]["interleaved"] = True
        path.write_text(json.dumps(data))
    done = compare_stacks("2024-11-23", "latest", "--only-changed", results=copy / "results")
    assert done.returncode in (0, 1), done.stderr
    assert "measured together: one asv invocation (20261124T200921-2962), rounds interleaved" in done.stdout
    assert "metric: raw" in done.stdout and "rows compared (raw)" in done.stdout


def test_stacks_without_results_at_a_commit_name_the_fix():
    done = compare_stacks("2024-11-23", "latest", "--commit", "ae9e8d63")
    assert done.returncode == 1
    assert "has results for both 2024-11-23 and latest" in done.stderr and "asv run -E" in done.stderr
