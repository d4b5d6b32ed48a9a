"""The `asv` command this measurement runs under, read from the process tree.

asv tells a benchmark suite its environment and commit (ASV_* variables) but
not the rest of its command line, which the suite needs:

- `-b REGEX`: which pairs to measure at all (measuring every pair when asv
  will only ask for some wastes the run);
- `--machine`: the folder records go to, next to asv's results;
- `-a rounds=N` and whether rounds are interleaved: how many rounds one
  `setup_cache` must measure (asv's non-interleaved rounds all read the same
  `setup_cache`; see `handout.py`);
- the asv process itself: its id names the invocation that records are kept
  under, and its death must stop the measurement (`lifeline.py`).

So the suite finds the asv process among its ancestors and parses its
arguments the way asv does (only the options read here). Standard library
and psutil only: this runs in every benchmarked environment.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timezone

import psutil

# asv subcommands that run benchmarks, and whether each interleaves rounds
# unless told otherwise.
_INTERLEAVED_BY_DEFAULT = {"run": False, "continuous": True, "dev": False}


@dataclass(frozen=True)
class Invocation:
    """One `asv run` or `asv continuous`, as the suite sees it."""

    command: str  # "run", "continuous", or "" outside asv
    argv: tuple[str, ...] = ()
    pid: int = 0
    started: float = 0.0  # the asv process's start time, seconds since the epoch
    bench: tuple[str, ...] = ()  # -b regexes; empty selects everything
    machine: str | None = None
    rounds: int | None = None  # -a rounds=N
    interleaved: bool = False
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def under_asv(self) -> bool:
        return bool(self.command)

    @property
    def id(self) -> str:
        """Unique per asv process: its start time (UTC) and pid."""
        if not self.under_asv:
            return "direct-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
        stamp = datetime.fromtimestamp(self.started, timezone.utc).strftime("%Y%m%dT%H%M%S")
        return f"{stamp}-{self.pid}"

    def selects(self, benchmark_name: str) -> bool:
        """Whether asv's -b would run this benchmark (``module.Class.method(params)``)."""
        return not self.bench or any(re.search(pattern, benchmark_name) for pattern in self.bench)

    def rounds_here(self, exported: int) -> int:
        """How many rounds one `setup_cache` call must measure.

        Interleaved, asv calls `setup_cache` once a round; otherwise once for
        all rounds, whose count is -a rounds=N or the suite's own `rounds`.
        """
        if self.interleaved:
            return 1
        return self.rounds if self.rounds is not None else exported

    def describe(self) -> str:
        return " ".join(shlex.quote(a) for a in self.argv) if self.argv else "(not under asv)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--bench", "-b", action="append", default=[])
    parser.add_argument("--attribute", "-a", action="append", default=[])
    parser.add_argument("--machine", "-m")
    parser.add_argument("--quick", "-q", action="store_true")
    parser.add_argument("--interleave-rounds", "--interleave-processes", dest="interleave", action="store_true",
                        default=None)
    parser.add_argument("--no-interleave-rounds", "--no-interleave-processes", dest="interleave",
                        action="store_false")
    return parser


def parse(argv: list[str], *, pid: int = 0, started: float = 0.0) -> Invocation:
    """An asv command line (``asv run -b x ...``, any prefix before it) as an Invocation."""
    index = _command_index(argv)
    if index is None:
        return Invocation(command="")
    command = argv[index]
    known, _ = _parser().parse_known_args(argv[index + 1:])
    attributes = {}
    for item in known.attribute:
        key, _, value = item.partition("=")
        attributes[key.strip()] = value.strip()
    rounds = 1 if known.quick else _int_or_none(attributes.get("rounds"))
    interleaved = _INTERLEAVED_BY_DEFAULT[command] if known.interleave is None else known.interleave
    return Invocation(
        command=command,
        argv=tuple(argv),
        pid=pid,
        started=started,
        bench=tuple(known.bench),
        machine=known.machine,
        rounds=rounds,
        interleaved=interleaved,
        attributes=attributes,
    )


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def _command_index(argv: list[str]) -> int | None:
    """Where asv's subcommand is in argv, if argv runs asv's run-type commands."""
    # `.../bin/asv run ...`, `python .../bin/asv run ...` and `python -m asv run ...`
    starts = [i for i, part in enumerate(argv) if os.path.basename(part) == "asv"]
    if not starts:
        return None
    later = starts[0] + 1
    while later < len(argv):
        part = argv[later]
        if part in _INTERLEAVED_BY_DEFAULT:
            return later
        if part == "--config":  # asv's one global option that takes a value
            later += 2
            continue
        if not part.startswith("-"):
            return None  # another subcommand (publish, compare...)
        later += 1
    return None


def find(process: psutil.Process | None = None) -> Invocation:
    """The asv command among this process's ancestors, or an empty Invocation."""
    process = process or psutil.Process()
    try:
        ancestors = process.parents()
    except psutil.Error:
        return Invocation(command="")
    for ancestor in ancestors:
        try:
            argv = ancestor.cmdline()
            started = ancestor.create_time()
        except psutil.Error:
            continue
        invocation = parse(argv, pid=ancestor.pid, started=started)
        if invocation.under_asv:
            return invocation
    return Invocation(command="")
