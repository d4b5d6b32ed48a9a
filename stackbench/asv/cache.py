"""What the asv suite's `setup_cache` does: measure the environment it runs in.

asv runs it with the environment's Python, the stack's name in $STACK (from
asv.conf.json's matrix) and the checkout of the measured commit under
$ASV_ENV_DIR/project, whose stack file the environment must match and whose
calibration.toml says whether the calibration switch is on. The rest of the
asv command (-b, --machine, rounds) is read from the asv process itself
(`asv_invocation`), which this process also dies with (`lifeline`).

Besides returning the rounds to asv, it keeps the full record (`records`):
the session so far after every launch in a partial file, the session in the
invocation's record once it is complete.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import calibration, machine, records
from ..errors import ConfigError, StackbenchError
from ..measure.load import wrk_executable
from ..serve.lifeline import Lifeline
from ..session import reference
from ..session.counts import CountSession, count_pairs
from ..session.runner import (
    Environment,
    Key,
    Outcome,
    Progress,
    Session,
    plan,
    progress_streams,
    run_session,
)
from ..settings import CountSettings, Settings, as_dict
from ..stacks import Stack, installed, mismatches, parse_pins
from .invocation import Invocation
from .invocation import find as find_invocation
from .rounds import CountedCell, CountHandout, Handout


def measure(settings: Settings, benchmark_names: Callable[[Key], list[str]]) -> Handout:
    """Measure every cell asv will ask for; `benchmark_names` gives a cell's asv names."""
    invocation = find_invocation()
    if machine.is_count_machine(_machine_name(invocation)):
        return Handout([], skip=f"machine {_machine_name(invocation)} keeps counts only (bench_counts); "
                                "wall-clock figures go under the host's own machine")
    wrk_executable()  # without wrk nothing can be measured: say so once, up front
    lifeline, stack, checkout, stack_file = _where(invocation)
    switch = calibration.load(checkout)
    present = installed(sys.executable)
    absent = Stack.from_file(stack_file).absent if stack_file else {}
    jobs, skipped = plan(present, settings, stack=stack, absent=absent,
                         selected=lambda key: any(invocation.selects(n) for n in benchmark_names(key)))
    rounds = invocation.rounds_here(settings.rounds)
    progress = Progress(rounds * settings.launches * len(jobs), settings, f"stack {stack or '?'}",
                        progress_streams(invocation.pid))
    progress.say(f"asv: {invocation.describe()}; this setup_cache measures {rounds} round(s)")
    if switch.on:
        progress.say(f"calibration switch ON: {switch}")

    keeper = _keeper(invocation, settings, stack, stack_file, present, switch)
    wrong = mismatches(parse_pins(stack_file.read_text(), str(stack_file)), present) if stack_file else []
    with tempfile.TemporaryDirectory(prefix="stackbench-") as workdir:
        if wrong:
            reason = (f"the environment does not hold the pins of {stack_file}:\n  " + "\n  ".join(wrong)
                      + "\nrebuild it: remove its folder under .asv/env and run asv again")
            progress.say(reason)
            session = run_session([], settings, Environment(sys.executable, Path(workdir)), rounds=rounds)
            failed = [Outcome(key, "failed", reason) for job in jobs for key in job.keys]
        else:
            where = Environment(sys.executable, Path(workdir), frozen_python=_frozen_python(progress),
                                lifeline=lifeline, calibration=switch)
            session = run_session(jobs, settings, where, rounds=rounds, progress=progress,
                                  on_launch=keeper.progress if keeper else None)
            failed = []
    _add(session, [*failed, *skipped])
    if keeper is not None:
        path = keeper.complete(session)
        progress.say(f"record: {path}")
    return Handout.of(session)


def _add(session: Session, outcomes: list[Outcome]) -> None:
    for round_ in session.rounds:
        for outcome in outcomes:
            round_.add(outcome)


def _frozen_python(progress: Progress) -> str | None:
    try:
        return reference.frozen_python()
    except StackbenchError as error:
        progress.say(f"no references this session: {error}")
        return None


def _keeper(
    invocation: Invocation,
    settings: Settings,
    stack: str,
    stack_file: Path | None,
    present: dict[str, str],
    switch: calibration.Calibration,
) -> records.Keeper | None:
    conf_dir = os.environ.get("ASV_CONF_DIR")
    commit = os.environ.get("ASV_COMMIT", "")
    # `asv run --python=same` has no commit: nothing to file the record under.
    if not conf_dir or not commit:
        return None
    name = _machine_name(invocation)
    record = records.Record(
        commit=commit,
        env_name=os.environ.get("ASV_ENV_NAME", ""),
        stack=stack,
        machine={**vars(machine.Identity.here(name))},
        invocation={"id": invocation.id, "command": invocation.describe(), "interleaved": invocation.interleaved},
        python=platform.python_version(),
        settings=as_dict(settings),
        versions=dict(sorted(present.items())),
        as_of=Stack.from_file(stack_file).as_of if stack_file else None,
        calibration=switch.as_dict(),
    )
    return records.Keeper(Path(conf_dir), record)


def _machine_name(invocation: Invocation) -> str:
    try:
        return machine.asv_name(invocation.machine)
    except ConfigError:
        return machine.default_name()


def _where(invocation: Invocation) -> tuple[Lifeline | None, str, Path | None, Path | None]:
    """What asv set up for this setup_cache: the lifeline to it, the stack, the measured checkout
    and its stack file (None when asv's install step already failed, saying so)."""
    lifeline = Lifeline(invocation.pid, invocation.started) if invocation.under_asv else None
    stack = os.environ.get("STACK", "")
    env_dir = os.environ.get("ASV_ENV_DIR")
    checkout = Path(env_dir, "project") if env_dir else None
    stack_file = checkout / "stacks" / f"{stack}.txt" if checkout and stack else None
    if stack_file is not None and not stack_file.is_file():
        stack_file = None
    return lifeline, stack, checkout, stack_file


def count(settings: CountSettings, benchmark_names: Callable[[Key], list[str]]) -> CountHandout:
    """Count every cell asv will ask for (session/counts.py), when asv files results under a count machine.

    Counts join across hosts, so they go under the count machine
    (machine.count_machine_name) and nowhere else: under a host's own
    machine this returns a handout that skips every read, and under a count
    machine of another valgrind or Python build it refuses.
    """
    invocation = find_invocation()
    name = _machine_name(invocation)
    expected = machine.count_machine_name()
    if not machine.is_count_machine(name):
        return CountHandout(skip=f"counts are kept under the count machine: asv run --machine {expected} "
                                 "-b bench_counts (tools/bootstrap.sh registers it)")
    if name != expected:
        raise ConfigError(f"asv's machine {name} is not this environment's count machine {expected} "
                          "(another architecture, valgrind or Python build): run with --machine " + expected)
    lifeline, stack, checkout, stack_file = _where(invocation)
    present = installed(sys.executable)
    absent = Stack.from_file(stack_file).absent if stack_file else {}
    jobs, skipped = plan(present, settings, stack=stack, absent=absent,
                         selected=lambda key: any(invocation.selects(n) for n in benchmark_names(key)))
    wrong = mismatches(parse_pins(stack_file.read_text(), str(stack_file)), present) if stack_file else []
    if wrong:
        raise ConfigError(f"the environment does not hold the pins of {stack_file}:\n  " + "\n  ".join(wrong)
                          + "\nrebuild it: remove its folder under .asv/env and run asv again")
    switch = calibration.load(checkout)
    streams = progress_streams(invocation.pid)

    def say(line: str) -> None:
        for stream in streams:
            try:
                stream.write(f"[counts, stack {stack or '?'}] {line}\n")
                stream.flush()
            except OSError:
                pass

    say(f"asv: {invocation.describe()}; counting {len(jobs)} pair(s): {settings.describe()}")
    if switch.on:
        say(f"calibration switch ON: {switch}")
    record = _count_record(invocation, name, stack, stack_file, present, switch)
    root = Path(os.environ["ASV_CONF_DIR"]) if record is not None else None

    def keep(session: CountSession) -> None:
        if record is not None and root is not None:
            record.session = session.as_dict()
            record.write(root)

    with tempfile.TemporaryDirectory(prefix="stackbench-counts-") as workdir:
        session = count_pairs([job.pair for job in jobs], python=sys.executable, workdir=Path(workdir),
                              settings=settings, say=say, lifeline=lifeline, on_pair=keep,
                              switch=switch)
    if record is not None and root is not None:
        record.complete = True
        keep(session)
        say(f"record: {record.path_in}")
    cells = {key: CountedCell("skipped", outcome.reason) for outcome in skipped for key in [outcome.key]}
    for key, (pair, workload) in session.cells().items():
        if workload is None:
            cells[key] = CountedCell(pair.status, pair.reason)
        else:
            cells[key] = CountedCell("counted", values={
                "instructions": workload.instructions,
                "estimated_cycles": workload.estimated_cycles,
                "syscalls": workload.syscalls,
            })
    return CountHandout(cells)


def _count_record(invocation: Invocation, name: str, stack: str, stack_file: Path | None,
                  present: dict[str, str], switch: calibration.Calibration) -> records.CountRecord | None:
    commit = os.environ.get("ASV_COMMIT", "")
    if not os.environ.get("ASV_CONF_DIR") or not commit:
        return None
    return records.CountRecord(
        commit=commit,
        env_name=os.environ.get("ASV_ENV_NAME", ""),
        stack=stack,
        machine={**vars(machine.Identity.here(name))},
        invocation={"id": invocation.id, "command": invocation.describe()},
        python=platform.python_version(),
        versions=dict(sorted(present.items())),
        session={},
        as_of=Stack.from_file(stack_file).as_of if stack_file else None,
        calibration=switch.as_dict(),
    )
