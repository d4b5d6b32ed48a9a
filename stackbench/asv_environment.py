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

from . import asv_invocation, calibration, machine, records, reference
from .asv_rounds import Handout
from .errors import ConfigError, StackbenchError
from .lifeline import Lifeline
from .load import wrk_executable
from .runner import Environment, Key, Outcome, Progress, Session, plan, progress_streams, run_session
from .settings import Settings, as_dict
from .stacks import Stack, installed, mismatches, parse_pins


def measure(settings: Settings, benchmark_names: Callable[[Key], list[str]]) -> Handout:
    """Measure every cell asv will ask for; `benchmark_names` gives a cell's asv names."""
    wrk_executable()  # without wrk nothing can be measured: say so once, up front
    invocation = asv_invocation.find()
    lifeline = Lifeline(invocation.pid, invocation.started) if invocation.under_asv else None
    stack = os.environ.get("STACK", "")
    env_dir = os.environ.get("ASV_ENV_DIR")
    checkout = Path(env_dir, "project") if env_dir else None
    stack_file = checkout / "stacks" / f"{stack}.txt" if checkout and stack else None
    if stack_file is not None and not stack_file.is_file():
        stack_file = None  # asv's install step already failed, saying so
    switch = calibration.load(checkout)
    present = installed(sys.executable)
    absent = Stack.from_file(stack_file).absent if stack_file else {}
    jobs, skipped = plan(present, settings, stack=stack, absent=absent,
                         selected=lambda key: any(invocation.selects(n) for n in benchmark_names(key)))
    rounds = invocation.rounds_here(settings.rounds)
    progress = Progress(rounds * settings.launches * len(jobs), settings, f"stack {stack or '?'}",
                        progress_streams())
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
    invocation: asv_invocation.Invocation,
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
    try:
        name = machine.asv_name(invocation.machine)
    except ConfigError:
        name = machine.default_name()
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
