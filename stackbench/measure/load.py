"""Run wrk against a server and refuse any run that had errors.

wrk gets one thread (the response check: one per connection) and, when the
caller gives it, CPUs of its own, so the load generator does not compete
with the server for a core. Its own CPU time is kept with each run: a wrk
that used its whole core was the bottleneck.
wrk dies with the harness (PR_SET_PDEATHSIG), so a run never outlives a
killed measurement.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, LoadError, ResponseError
from ..serve.lifeline import tied_child
from .wrk import ResponseCheck, WrkParseError, WrkResult, parse, parse_check

LUA = Path(__file__).with_name("wrk_done.lua")
# Checks every response against the expected one; used only for unrecorded runs.
CHECK_LUA = Path(__file__).with_name("wrk_check.lua")
# One wrk thread: on a 2-core machine wrk has exactly one core to itself.
THREADS = 1


@dataclass(frozen=True)
class LoadRun:
    result: WrkResult
    output: str
    command: tuple[str, ...]
    # wrk's own user + system CPU seconds.
    cpu_seconds: float


def wrk_executable() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise ConfigError(
            "wrk is not installed or not on PATH; install it with "
            "`apt-get install -y wrk` (tools/bootstrap.sh does this)"
        )
    return found


def run_wrk(
    url: str,
    *,
    connections: int,
    duration: int,
    timeout: int,
    label: str,
    cpus: set[int] | None = None,
    script: Path = LUA,
    script_args: tuple[str, ...] = (),
    threads: int = THREADS,
) -> LoadRun:
    """One wrk run; raises `LoadError`, with wrk's output, unless it was clean.

    Clean means: wrk exited 0, at least one request completed, and there was
    no socket error (connect, read, write, timeout) and no status >= 400.
    """
    command = (
        wrk_executable(),
        "--threads", str(threads),
        "--connections", str(connections),
        "--duration", f"{duration}s",
        "--timeout", f"{timeout}s",
        "--latency",
        "--script", str(script),
        url,
        *(("--", *script_args) if script_args else ()),
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=duration + timeout + 30,
            preexec_fn=tied_child(cpus),
        )
    except subprocess.TimeoutExpired as error:
        raise LoadError(f"{label}: wrk did not finish ({' '.join(command)})") from error
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        raise LoadError(
            f"{label}: wrk exited with status {completed.returncode}:\n"
            f"$ {' '.join(command)}\n{output}"
        )
    try:
        result = parse(completed.stdout)
    except WrkParseError as error:
        raise LoadError(f"{label}: {error}") from error
    problems = result.problems()
    if problems:
        raise LoadError(
            f"{label}: wrk saw {'; '.join(problems)}. Nothing from this pair is "
            f"recorded.\n$ {' '.join(command)}\n{output}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return LoadRun(result=result, output=output, command=command, cpu_seconds=cpu)


@dataclass(frozen=True)
class Expected:
    """The answer that passed the contract check: every response to `path` must equal it."""

    label: str  # the pair and scenario, for messages
    path: str
    status: int
    body: bytes


def check_responses(
    url: str,
    expected: Sequence[Expected],
    *,
    connections: int,
    duration: int,
    timeout: int,
    label: str,
    cpus: set[int] | None = None,
) -> dict[str, ResponseCheck]:
    """One unrecorded run that compares every response with the expected one; by path.

    Every path is loaded at once and `connections` are shared among them,
    so the server carries the load it carries when measured, in a mix of its
    scenarios, for one run's time whatever the number of scenarios. Each
    connection has a wrk thread of its own, so its responses are counted
    apart: a connection left without any answer for the whole run fails the
    check (a server that serves its connections one at a time would
    otherwise be measured "at 32 connections" while 31 of them wait).
    Raises `ResponseError` with the count and one example when any response
    differs: a server that answers right to one request and wrongly under
    load must not be recorded. Socket errors and statuses >= 400 fail as in
    `run_wrk`.
    """
    script_args = tuple(arg for each in expected for arg in (each.path, str(each.status), each.body.hex()))
    threads = max(connections, len(expected))
    run = run_wrk(url, connections=threads, duration=duration, timeout=timeout, label=label, cpus=cpus,
                  script=CHECK_LUA, script_args=script_args, threads=threads)
    per_connection = parse_check(run.output)
    if len(per_connection) != threads or {path for path, _ in per_connection} != {e.path for e in expected}:
        raise ResponseError(f"{label}: the response check reported {len(per_connection)} connections, not "
                            f"{threads} on the paths {sorted(e.path for e in expected)}\n{run.output}")
    checks = {}
    wrong = []
    for each in expected:
        mine = [check for path, check in per_connection if path == each.path]
        check = ResponseCheck(sum(c.checked for c in mine), sum(c.mismatches for c in mine),
                              next((c.example for c in mine if c.example), b""))
        unanswered = sum(1 for c in mine if not c.checked)
        if check.mismatches:
            wrong.append(
                f"{each.label}: {check.mismatches:,} of {check.checked:,} responses under load differed from "
                f"the answer that passed the contract check (status {each.status}, body {each.body!r}); "
                f"for example: {check.example!r}"
            )
        if unanswered:
            wrong.append(
                f"{each.label}: {unanswered} of its {len(mine)} connections got no answer in the {duration} s "
                f"check run while the others got {check.checked:,}: the server leaves connections waiting, so "
                f"its figures would not be at {threads} connections"
            )
        checks[each.path] = check
    if wrong:
        raise ResponseError("\n".join(wrong))
    seen = sum(check.checked for check in checks.values())
    if seen != run.result.requests:
        raise ResponseError(
            f"{label}: the response check saw {seen:,} responses but wrk counted "
            f"{run.result.requests:,} requests"
        )
    return checks
