"""Reading the asv command from the process tree: what the suite needs of it."""

from __future__ import annotations

import subprocess
import sys

import psutil

from stackbench.asv import invocation

ASV = ["/repo/.venv/bin/python", "/repo/.venv/bin/asv"]


def test_run_is_not_interleaved_and_reads_every_option():
    found = invocation.parse([*ASV, "run", "-b", "uvicorn", "--bench", "gunicorn.*flask",
                                  "--machine", "box", "-a", "rounds=3", "-E", "x"], pid=7, started=1.0)
    assert found.command == "run" and found.under_asv
    assert found.bench == ("uvicorn", "gunicorn.*flask")
    assert (found.machine, found.rounds, found.interleaved) == ("box", 3, False)
    assert found.rounds_here(exported=2) == 3  # one setup_cache serves all asv's rounds
    assert found.selects("bench_pairs.Asgi.track_x('uvicorn', 'raw', 'plaintext', 32)")
    assert not found.selects("bench_pairs.Asgi.track_x('daphne', 'raw', 'plaintext', 32)")


def test_continuous_interleaves_unless_told_not_to():
    found = invocation.parse(["asv", "continuous", "main", "HEAD"])
    assert found.interleaved and found.rounds_here(exported=2) == 1
    assert not invocation.parse(["asv", "continuous", "--no-interleave-rounds", "a", "b"]).interleaved
    assert invocation.parse(["asv", "run", "--interleave-rounds"]).interleaved


def test_quick_means_one_round_and_no_bench_selects_everything():
    found = invocation.parse(["python", "-m", "asv", "--config", "asv.conf.json", "run", "--quick"])
    assert found.command == "run" and found.rounds == 1
    assert found.selects("anything")
    assert found.rounds_here(exported=4) == 1


def test_other_commands_and_other_programs_are_not_asv_runs():
    assert not invocation.parse(["asv", "publish"]).under_asv
    assert not invocation.parse(["python", "-m", "pytest", "run"]).under_asv


def test_found_among_ancestors(tmp_path):
    # A parent whose command line is an asv run, and this check as its child.
    script = tmp_path / "asv"
    script.write_text(
        "import subprocess, sys\n"
        "code = 'from stackbench.asv import invocation as a; i = a.find(); print(i.command, i.bench, i.pid)'\n"
        "sys.exit(subprocess.run([sys.executable, '-c', code]).returncode)\n"
    )
    done = subprocess.run([sys.executable, str(script), "run", "-b", "starlette"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    command, bench, pid = done.stdout.split(" ", 2)
    assert command == "run" and bench == "('starlette',)"
    assert not psutil.pid_exists(int(pid))  # it was the parent, gone now
