"""The coverage table (stackbench/report/coverage.py, tools/coverage.py) on small results directories."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from stackbench import registry
from stackbench.errors import ConfigError
from stackbench.report import coverage, summary

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "asv-run"


def pair(interface: str, server: str, framework: str) -> registry.Pair:
    return registry.find_pair(interface, server, framework)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def captured() -> coverage.Coverage:
    return coverage.build(FIXTURE / "results", FIXTURE)


def test_each_pair_gets_the_newest_verdict_of_each_stack(captured):
    assert captured.machine == "fixture"
    assert captured.stacks == ["2024-11-23", "latest"]
    cells = summary.current(summary.collect(FIXTURE / "results", FIXTURE))
    for stack in captured.stacks:
        for measured in (pair("asgi", "uvicorn", "starlette"), pair("wsgi", "gunicorn", "flask")):
            # Measured, with the figure the page shows for plaintext at 32 connections.
            [cell] = [c for c in cells if c.run.stack == stack and (c.server, c.framework, c.scenario, c.connections)
                      == (measured.server.name, measured.app.framework, "plaintext", 32)]
            assert captured.verdict(measured, stack) == coverage.Verdict(
                "measured", requests_per_second=cell.requests_per_second)
        failed = captured.verdict(pair("asgi", "daphne", "sanic"), stack)
        assert failed.status == "failed"
        assert failed.reason.startswith("daphne + sanic (ASGI), plaintext at 32 connections: GET / broke the app")
        assert len(failed.reason) <= 150
        # Left out by the capture's asv -b: not run, never "skipped".
        assert captured.verdict(pair("wsgi", "gunicorn", "raw"), stack) == coverage.Verdict("not run")
        assert captured.counts(stack) == {"measured": 2, "failed": 1, "not run": len(registry.pairs()) - 3}


def test_a_pair_with_workloads_of_different_fates_shows_the_worst_and_which():
    run = summary.Run(machine=summary.Machine("m", {}), commit="c", date=datetime(2026, 1, 1, tzinfo=timezone.utc),
                      stack="latest", env_name="e", as_of="2026-01-01", python="3.11")
    measured = summary.Cell(run, "asgi", "uvicorn", "raw", "plaintext", 32, "measured", "")
    failed = replace(measured, scenario="json", status="failed", reason="json broke\nTraceback ...")
    skipped = replace(measured, status="skipped", reason="granian not installed in stack 'latest'")
    assert str(coverage._verdict([measured, failed])) == "failed (json c32): json broke"
    assert str(coverage._verdict([replace(measured, values={"seconds_per_request": 1 / 41_713})])) == (
        "measured, 41,713 req/s")
    assert str(coverage._verdict([skipped, replace(skipped, scenario="json")])) == (
        "skipped: granian not installed in stack 'latest'")


def test_the_command_prints_the_table_and_names_the_machine():
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "coverage.py"), "--results",
                           str(FIXTURE / "results"), "--root", str(FIXTURE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Machine `fixture`" in done.stdout
    assert re.search(r"\| ASGI: uvicorn \+ starlette \| measured, [\d,]+ req/s \| measured, [\d,]+ req/s \|",
                     done.stdout)
    assert f"- latest: 1 failed, 2 measured, {len(registry.pairs()) - 3} not run" in done.stdout


def test_the_readme_block_is_replaced_between_its_markers_only():
    text = f"intro\n{coverage.README_START}\nold table\n{coverage.README_END}\noutro\n"
    assert coverage.replace_in_readme(text, "new\n") == (
        f"intro\n{coverage.README_START}\nnew\n{coverage.README_END}\noutro\n")
    with pytest.raises(ConfigError, match="no coverage block"):
        coverage.replace_in_readme("no markers here", "new\n")


def test_the_readme_table_is_the_commands_output_for_the_committed_results():
    readme = (ROOT / "README.md").read_text()
    expected = coverage.report(coverage.build(ROOT / "results", ROOT))
    assert coverage.replace_in_readme(readme, expected) == readme, "run tools/coverage.py --readme"
