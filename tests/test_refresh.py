"""Refreshing the rolling stack: the version changes, and the commit that lists them."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from stackbench import machine, registry, stacks
from stackbench.session import reference
from stackbench.workspace import clone_working_tree

from .local_index import LocalIndex, upstream_files
from .test_stacks import AS_OF, small_registry_files


def clone_with_an_older_pin(clone: Path, package: str, version: str) -> Path:
    """A commit in `clone` (the working tree's, if it is no repository yet) pinning `package` of the
    rolling stack at `version`, as if the stack had been locked before it moved; the stack file."""
    if not (clone / ".git").is_dir():
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


def registry_index(folder: Path) -> LocalIndex:
    """Every distribution the registry requires, as empty wheels at 1.0, 1.1 and 2.0 (tests/test_stacks.UPLOADS)."""
    return LocalIndex(small_registry_files(folder, sorted({registry.distribution(r) for r in registry.requirements()})))


GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost", "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@localhost"}


def test_refresh_commits_the_stack_with_its_version_changes(tmp_path):
    """A stack locked from a local index, one pin set back, refreshed: one change, the lock reproduced."""
    clone = tmp_path / "clone"
    clone_working_tree(clone)
    with registry_index(tmp_path / "files").serve() as url:
        env = {**os.environ, **GIT_IDENTITY, "UV_DEFAULT_INDEX": url}
        locked = subprocess.run([sys.executable, "tools/lock_stack.py", "--as-of", AS_OF.isoformat(), "--name",
                                 stacks.CURRENT], cwd=clone, env=env, capture_output=True, text=True)
        assert locked.returncode == 0, locked.stdout + locked.stderr
        stack_file = clone / "stacks" / f"{stacks.CURRENT}.txt"
        text = stack_file.read_text()
        stack = stacks.Stack.from_file(stack_file)
        # 1.1 came late on the day, 2.0 just after it ended.
        assert set(stack.pins.values()) == {"1.1"} and stack.cutoff == "2026-11-24T00:00:00Z" and not stack.provisional
        subprocess.run(["git", "commit", "-qam", "lock"], cwd=clone, env=env, check=True)
        clone_with_an_older_pin(clone, "uvicorn", "1.0")
        refresh = [sys.executable, "tools/refresh_stack.py", "--as-of", AS_OF.isoformat()]
        done = subprocess.run(refresh, cwd=clone, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        message = subprocess.run(["git", "log", "-1", "--format=%B"], cwd=clone, capture_output=True,
                                 text=True).stdout
        assert message.splitlines()[0] == f"Refresh stack {stacks.CURRENT} as of {AS_OF}: 1 version change"
        assert "uvicorn 1.0 -> 1.1" in message
        assert stack_file.read_text() == text  # the lock is a function of the index and the cutoff
        # Again: nothing changed, nothing is committed.
        again = subprocess.run(refresh, cwd=clone, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "no version changed" in again.stdout, again.stdout + again.stderr
    log = subprocess.run(["git", "log", "--format=%s"], cwd=clone, capture_output=True, text=True).stdout
    assert log.splitlines()[0].startswith("Refresh stack") and len(log.splitlines()) == 4


@pytest.mark.slow
def test_gate_refreshes_commits_and_measures_both_commits(tmp_path_factory):
    """tools/gate.py --wall-clock on a clone whose bottle pin is older: refresh, commit, then
    asv continuous on counts (the count machine) and on wall-clock figures (this host's).

    Whether a row got significantly worse is asv's verdict; the gate's exit
    status must be that verdict either way.
    """
    from .test_asv import MACHINE, asv_env

    clone = tmp_path_factory.mktemp("gate")
    clone_with_an_older_pin(clone, "bottle", "0.12.25")
    current = stacks.load(stacks.CURRENT)
    # The registry as the test needs it: exactly the pins of the stack, the harness and the frozen
    # reference, and bottle's older release.
    pinned: dict[str, set[str]] = {}
    for pins in (current.pins, stacks.parse_pins("\n".join(stacks.harness_requirements())),
                 stacks.parse_pins(reference.FROZEN_PINS), {"bottle": "0.12.25"}):
        for name, version in pins.items():
            pinned.setdefault(name, set()).add(version)
    index = LocalIndex(file for name, versions in pinned.items() for file in upstream_files(name, versions))
    with index.serve() as url:
        home = tmp_path_factory.mktemp("home")
        env = asv_env(home, STACKBENCH_PROFILE="quick", STACKBENCH_COUNT_REQUESTS="200",
                      STACKBENCH_COUNT_WARMUP="50", UV_DEFAULT_INDEX=url, **GIT_IDENTITY)
        counts = machine.register_count_machine(machine.asv_machine_file(home))
        done = subprocess.run(
            [sys.executable, str(clone / "tools" / "gate.py"), "--as-of", current.as_of, "--pairs", "uvicorn:raw",
             "--wall-clock"],
            cwd=clone, env=env, capture_output=True, text=True,
        )
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert f"as of {current.as_of}: 1 version change\n\nbottle 0.12.25 -> {current.pins['bottle']}\n" in done.stdout
    assert "--factor 1.01" in done.stdout and "--factor 1.25" in done.stdout, output
    judged = re.search(r"counts judged: instructions at 1\.01, cycles at 1\.01, syscalls at 1\.25: (\d+) row", done.stdout)
    assert judged, output
    wall_clock_worse = "gate (wall-clock): something got significantly worse" in done.stdout
    assert (done.returncode == 1) == (int(judged[1]) > 0 or wall_clock_worse), output
    # Both commits were measured, in this clone: counts under the count machine, figures under the host's.
    environment = stacks.asv_environment(stacks.CURRENT)
    for name in (counts, MACHINE):
        measured = sorted((clone / "results" / name).glob(f"*-{environment}.json"))
        assert len(measured) == 2, (name, output)
    for path in (clone / "results" / counts).glob(f"*-{environment}.json"):
        data = json.loads(path.read_text())
        column = data["result_columns"].index("result")
        counted = [x for name, row in data["results"].items() if name.endswith("track_instructions_per_request")
                   for x in row[column] if x is not None and not math.isnan(x)]  # None: not run; NaN: skipped
        # uvicorn + raw: both scenarios at both levels, ~110,000 instructions a request each.
        assert len(counted) == 4 and all(x > 10_000 for x in counted), (path, counted, output)
