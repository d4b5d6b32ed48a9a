"""Refreshing the rolling stack: the version changes, and the commit that lists them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from stackbench import stacks
from stackbench.server import ROOT
from stackbench.workspace import clone_working_tree


def clone_with_an_older_pin(clone: Path, package: str, version: str) -> Path:
    """The working tree in `clone`, then a commit pinning `package` of the rolling stack
    at `version`, as if the stack had been locked before it moved; the stack file."""
    clone_working_tree(clone)
    stack_file = clone / "stacks" / f"{stacks.CURRENT}.txt"
    stack_file.write_text(re.sub(rf"(?m)^{re.escape(package)}==\S+$", f"{package}=={version}",
                                 stack_file.read_text()))
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam",
                    f"older {package}"], cwd=clone, check=True)
    return stack_file


def test_version_changes_name_each_move_in_order():
    changes = stacks.version_changes({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "2.1", "d": "4"})
    assert [str(c) for c in changes] == ["b 2 -> 2.1", "c 3 -> (absent)", "d (absent) -> 4"]
    message = stacks.refresh_message("latest", date(2026, 12, 1), changes)
    assert message.splitlines()[0] == "Refresh stack latest as of 2026-12-01: 3 version changes"
    assert message.splitlines()[2:] == ["b 2 -> 2.1", "c 3 -> (absent)", "d (absent) -> 4"]


@pytest.mark.slow
def test_refresh_commits_the_stack_with_its_version_changes(tmp_path):
    """An older uvicorn pin, re-resolved as of the committed stack's date (PyPI needed)."""
    stack_file = clone_with_an_older_pin(tmp_path, "uvicorn", "0.30.0")
    current = stacks.load(stacks.CURRENT)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@localhost"}
    refresh = [sys.executable, str(tmp_path / "tools" / "refresh_stack.py"), "--as-of", current.as_of]
    done = subprocess.run(refresh, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    message = subprocess.run(["git", "log", "-1", "--format=%B"], cwd=tmp_path, capture_output=True,
                             text=True).stdout
    assert message.splitlines()[0] == f"Refresh stack {stacks.CURRENT} as of {current.as_of}: 1 version change"
    assert f"uvicorn 0.30.0 -> {current.pins['uvicorn']}" in message
    assert stack_file.read_text() == current.path.read_text()  # the lock is a function of the date
    # Again: nothing changed, nothing is committed.
    again = subprocess.run(refresh, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "no version changed" in again.stdout
    log = subprocess.run(["git", "log", "--format=%s"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert log.splitlines()[0].startswith("Refresh stack") and len(log.splitlines()) == 3


@pytest.mark.slow
def test_gate_refreshes_commits_and_measures_both_commits(tmp_path_factory):
    """tools/gate.py on a clone whose bottle pin is older: refresh, commit, asv continuous.

    Whether a row got significantly worse depends on the machine; the gate's
    exit status must be asv's verdict either way.
    """
    from .test_asv import MACHINE, asv_env

    clone = tmp_path_factory.mktemp("gate")
    clone_with_an_older_pin(clone, "bottle", "0.12.25")
    current = stacks.load(stacks.CURRENT)
    env = asv_env(tmp_path_factory.mktemp("home"), STACKBENCH_PROFILE="quick", GIT_AUTHOR_NAME="t",
                  GIT_AUTHOR_EMAIL="t@localhost", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@localhost")
    done = subprocess.run(
        [sys.executable, str(clone / "tools" / "gate.py"), "--as-of", current.as_of, "--pairs", "uvicorn:raw"],
        cwd=clone, env=env, capture_output=True, text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert f"bottle 0.12.25 -> {current.pins['bottle']}" in done.stdout
    assert (done.returncode == 1) == ("PERFORMANCE DECREASED" in done.stdout), output
    # Both commits were measured, in this clone, under the test's machine name.
    measured = list((clone / "results" / MACHINE).glob(f"*-{stacks.asv_environment(stacks.CURRENT)}.json"))
    assert len(measured) == 2, output
