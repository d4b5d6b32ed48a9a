"""Culprit finding: which package change carries a slowdown (stackbench/analysis/culprit.py, tools/culprit.py).

The constructed case: two stacks that differ in two local packages, built
here as wheels and offered to uv as a folder of links. `slowdemo` 2.0 runs
a loop of 30,000 iterations per request in the app that uses it (fixed
work: ~1 ms here, and the same instructions every request under
Callgrind); `tinydep` 2.0 changes nothing that runs. The command must judge
both moves and name slowdemo, and only slowdemo, on counts and on seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stackbench import registry, stacks
from stackbench.analysis import comparison, culprit
from stackbench.errors import ConfigError
from stackbench.session.runner import Key, Outcome

from .builders import sample, session, wheel

ROOT = Path(__file__).resolve().parent.parent
UVICORN_RAW = registry.find_pair("asgi", "uvicorn", "raw")

# The raw ASGI app (it keeps the contract), calling into both local packages on every request first.
APP = '''
import slowdemo
import tinydep

from apps.raw_asgi import app as raw


async def app(scope, receive, send):
    if scope["type"] == "http":
        slowdemo.work(tinydep.VALUE)
    await raw(scope, receive, send)
'''

WORK = {
    "1.0": "def work(value):\n    return value\n",
    "2.0": "def work(value):\n    total = 0\n    for number in range(30_000):\n        total += number\n"
           "    return value\n",
}


def local_packages(folder: Path, *, slowdemo_needs_new_tinydep: bool = False) -> Path:
    """Wheels of slowdemo and tinydep, 1.0 and 2.0 each."""
    for version in ("1.0", "2.0"):
        wheel(folder, "tinydep", version, {"tinydep/__init__.py": f"VALUE = {version!r}\n"})
        needs = "tinydep>=2" if slowdemo_needs_new_tinydep and version == "2.0" else "tinydep"
        wheel(folder, "slowdemo", version, {"slowdemo/__init__.py": WORK[version], "slowdemo/app.py": APP},
              requires=(needs,))
    return folder


def two_stacks(folder: Path) -> Path:
    """Stacks 'before' and 'after': the current stack plus slowdemo and tinydep at 1.0, then at 2.0."""
    current = stacks.load(stacks.CURRENT).path.read_text()
    folder.mkdir(parents=True, exist_ok=True)
    for name, version in (("before", "1.0"), ("after", "2.0")):
        (folder / f"{name}.txt").write_text(current + f"slowdemo=={version}\ntinydep=={version}\n")
    return folder


def demo_pair() -> registry.Pair:
    app = registry.App("raw", "asgi", ("slowdemo",), "slowdemo.app")
    return registry.Pair(UVICORN_RAW.server, app)


def test_each_changed_package_moves_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_FIND_LINKS", str(local_packages(tmp_path / "wheels")))
    folder = two_stacks(tmp_path / "stacks")
    search = culprit.plan(demo_pair(), stacks.load("before", folder), stacks.load("after", folder))
    assert [s.name for s in search.steps] == ["A", "slowdemo", "tinydep", "B"]
    by_name = {s.name: s for s in search.steps}
    assert [str(m) for m in by_name["slowdemo"].moves] == ["slowdemo 1.0 -> 2.0"]
    assert [str(m) for m in by_name["tinydep"].moves] == ["tinydep 1.0 -> 2.0"]
    assert by_name["A"].pins["uvicorn"] == by_name["B"].pins["uvicorn"] == stacks.load(stacks.CURRENT).pins["uvicorn"]
    assert by_name["B"].pins["slowdemo"] == "2.0"


def test_a_package_moves_with_what_its_new_version_needs(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_FIND_LINKS", str(local_packages(tmp_path / "wheels", slowdemo_needs_new_tinydep=True)))
    folder = two_stacks(tmp_path / "stacks")
    search = culprit.plan(demo_pair(), stacks.load("before", folder), stacks.load("after", folder))
    moves = {s.name: [str(m) for m in s.moves] for s in search.steps}
    assert moves["slowdemo"] == ["slowdemo 1.0 -> 2.0", "tinydep 1.0 -> 2.0"]
    assert moves["tinydep"] == ["tinydep 1.0 -> 2.0"]


def test_stacks_without_a_difference_for_the_pair_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("UV_FIND_LINKS", str(local_packages(tmp_path / "wheels")))
    folder = two_stacks(tmp_path / "stacks")
    with pytest.raises(ConfigError, match="same versions"):
        # uvicorn + raw does not use the local packages: nothing differs for it.
        culprit.plan(UVICORN_RAW, stacks.load("before", folder), stacks.load("after", folder))


def test_judging_names_the_step_that_carries_the_change():
    key = Key("asgi", "uvicorn", "raw", "plaintext", 32)
    steps = [culprit.Step("A", {}), culprit.Step("slow", {}, (stacks.VersionChange("slow", "1", "2"),)),
             culprit.Step("same", {}, (stacks.VersionChange("same", "1", "2"),)), culprit.Step("B", {})]
    times = {"A": 1e-4, "slow": 2e-4, "same": 1e-4, "B": 2e-4}
    jitter = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99]
    measured = session([Outcome(key, "measured", samples=tuple(sample(times[s.name] * j, launch=i)
                                                               for i, j in enumerate(jitter)), tag=s.name)
                        for s in steps])
    search = culprit.Search(UVICORN_RAW, stacks.load("latest"), stacks.load("latest"), steps, {})
    verdicts = {v.step.name: v for v in culprit.judge(search, measured, key, 1.05)}
    assert verdicts["slow"].mark == comparison.WORSE and verdicts["same"].mark == comparison.SAME
    assert verdicts["slow"].share == pytest.approx(1.0, abs=0.05)
    assert verdicts["B"].mark == comparison.WORSE
    answer = culprit.sentence(list(verdicts.values()), "x", "y")
    assert "slow (slow 1 -> 2) alone" in answer and "same" not in answer


def test_asv_marks_samples_the_way_asv_compare_does():
    base = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99]
    assert comparison.mark(base, [x * 1.5 for x in base], 1.05) == comparison.WORSE
    assert comparison.mark(base, [x / 1.5 for x in base], 1.05) == comparison.BETTER
    assert comparison.mark(base, base, 1.05) == comparison.SAME
    # Six a side cannot pass asv's Mann-Whitney threshold (p < 0.002): not significant.
    assert comparison.mark(base[:6], [x * 1.5 for x in base[:6]], 1.05) == comparison.INSIGNIFICANT


def culprit_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "culprit.py"), *args],
                          capture_output=True, text=True, timeout=900)


def culprit_on_demo(tmp_path: Path, *args: str) -> dict:
    """tools/culprit.py on the demo stacks; what it wrote, after checking its answer names slowdemo alone."""
    wheels = local_packages(tmp_path / "wheels")
    folder = two_stacks(tmp_path / "stacks")
    done = culprit_tool("uvicorn:raw", "--app", "slowdemo.app", "--requires", "slowdemo",
                        "--from", "before", "--to", "after", "--stacks-dir", str(folder),
                        "--find-links", str(wheels), "--connections", "1", "--out", str(tmp_path / "out"), *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    answer = done.stdout.strip().splitlines()[-2]
    assert "slowdemo (slowdemo 1.0 -> 2.0) alone" in answer, done.stdout
    assert "tinydep" not in answer
    [written] = (tmp_path / "out").glob("*.json")
    found = json.loads(written.read_text())
    marks = {step["name"]: step["verdict"]["mark"] for step in found["steps"]}
    assert marks == {"A": comparison.SAME, "slowdemo": comparison.WORSE, "tinydep": comparison.SAME,
                     "B": comparison.WORSE}, found["steps"]
    return found


@pytest.mark.slow
def test_the_command_counts_each_move_and_names_the_costly_package(tmp_path, monkeypatch):
    monkeypatch.setenv("STACKBENCH_COUNT_REQUESTS", "100")
    monkeypatch.setenv("STACKBENCH_COUNT_WARMUP", "20")
    found = culprit_on_demo(tmp_path)
    assert found["metric"] == "instructions" and found["factor"] == comparison.COUNT_FACTOR
    counts = {step["name"]: step["verdict"]["median"] for step in found["steps"]}
    # 30,000 loop iterations cost far more than the raw app itself; tinydep's move costs nothing.
    assert counts["slowdemo"] > 2 * counts["A"], counts
    assert abs(counts["tinydep"] / counts["A"] - 1) < 0.01, counts
    assert {p["tag"] for p in found["session"]["pairs"]} == {"A", "slowdemo", "tinydep", "B"}


def test_the_command_measures_each_move_and_names_the_slow_package(tmp_path):
    found = culprit_on_demo(tmp_path, "--metric", "seconds", "--duration", "1", "--warmup", "0", "--factor", "1.5")
    samples = {step["name"]: step["verdict"]["samples"] for step in found["steps"]}
    assert all(len(s) == 8 for s in samples.values())


@pytest.mark.parametrize("args, words", [
    (["uvicorn:nothing", "--from", "2024-11-23", "--to", "latest"], "no pair 'uvicorn:nothing'"),
    (["uvicorn:raw", "--from", "1999-01-01", "--to", "latest"], "no stack '1999-01-01'"),
    (["uvicorn:raw", "--requires", "x", "--from", "2024-11-23", "--to", "latest"], "give --app MODULE"),
    (["granian:falcon", "--from", "2024-11-23", "--to", "latest"], "--interface"),
])
def test_bad_input_names_the_thing_and_the_fix(args, words):
    done = culprit_tool(*args)
    assert done.returncode == 1
    assert words in done.stderr, done.stderr
