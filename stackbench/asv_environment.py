"""What the asv suite's `setup_cache` does: measure the environment it runs in.

asv runs it with the environment's Python, the stack's name in $STACK (from
asv.conf.json's matrix) and the checkout of the measured commit under
$ASV_ENV_DIR/project, whose stack file the environment must match. Besides
returning the outcomes to asv, it keeps the full record (records.py), saved
after every pair.
"""

from __future__ import annotations

import os
import platform
import socket
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from . import records
from .load import wrk_executable
from .runner import Key, Outcome, measure_environment, progress_streams
from .settings import Settings
from .stacks import Stack, installed


def measure(settings: Settings, patterns: list[str] | None = None) -> dict[Key, Outcome]:
    wrk_executable()  # without wrk nothing can be measured: say so once, up front
    stack = os.environ.get("STACK", "")
    env_dir = os.environ.get("ASV_ENV_DIR")
    stack_file = Path(env_dir, "project", "stacks", f"{stack}.txt") if env_dir and stack else None
    if stack_file is not None and not stack_file.is_file():
        stack_file = None  # asv's install step already failed, saying so
    present = installed(sys.executable)
    record = records.Record(
        commit=os.environ.get("ASV_COMMIT", ""),
        env_name=os.environ.get("ASV_ENV_NAME", ""),
        stack=stack,
        host=socket.gethostname(),
        python=platform.python_version(),
        settings=asdict(settings),
        versions=dict(sorted(present.items())),
        as_of=Stack.from_file(stack_file).as_of if stack_file else None,
    )
    conf_dir = os.environ.get("ASV_CONF_DIR")
    # `asv run --python=same` has no commit: nothing to file the record under.
    path = records.path_for(Path(conf_dir), record.commit, record.env_name) if conf_dir and record.commit else None

    def keep(outcome: Outcome) -> None:
        record.add(outcome)
        if path is not None:
            records.save(record, path)

    with tempfile.TemporaryDirectory(prefix="stackbench-") as workdir:
        return measure_environment(
            settings,
            python=sys.executable,
            present=present,
            workdir=Path(workdir),
            stack=stack,
            stack_file=stack_file,
            patterns=patterns,
            streams=progress_streams(),
            on_outcome=keep,
        )
