"""The full record of one environment's run, kept next to asv's results.

asv keeps one number (with statistics) per benchmark and nothing about why a
pair failed or was skipped. The record keeps the rest: every outcome with its
reason, every repeat's wrk figures (requests, latency, errors, wrk's own CPU),
the settings, the CPU placement and the versions installed. It is rewritten
after each pair, so a run cut short still keeps what it measured.

Files: ``records/<host>/<commit[:8]>-<asv environment>.json``. The host name is
asv's default machine name; `find` falls back to commit and environment alone.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .measure import Repeat
from .runner import Outcome
from .wrk import Latency, SocketErrors, ThreadRate, WrkResult

FORMAT = 1


@dataclass
class Record:
    commit: str
    env_name: str
    stack: str
    host: str
    python: str
    settings: dict[str, Any]
    versions: dict[str, str]
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    # The date the stack was resolved against (its file's "# as-of:").
    as_of: str | None = None
    format: int = FORMAT

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome_as_dict(outcome))


def outcome_as_dict(outcome: Outcome) -> dict[str, Any]:
    entry: dict[str, Any] = {**outcome.key._asdict(), "status": outcome.status, "reason": outcome.reason}
    if outcome.measurement is not None:
        measurement = asdict(outcome.measurement)
        entry["started_at"] = measurement["started_at"]
        entry["placement"] = {k: sorted(v) if v else None for k, v in measurement["placement"].items()}
        entry["repeats"] = measurement["repeats"]
    return entry


def path_for(root: Path, commit: str, env_name: str, host: str | None = None) -> Path:
    host = host or socket.gethostname()
    return root / "records" / host / f"{commit[:8]}-{env_name}.json"


def save(record: Record, path: Path) -> None:
    """Write atomically: a reader never sees half a record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(asdict(record), indent=1, sort_keys=True) + "\n")
    os.replace(partial, path)


def load(path: Path) -> Record:
    data = json.loads(path.read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: record format {data.get('format')!r}, expected {FORMAT}")
    return Record(**data)


def find(root: Path, commit: str, env_name: str, host: str | None = None) -> Path | None:
    """The record of a commit and environment: the host's own, else any host's."""
    exact = path_for(root, commit, env_name, host)
    if exact.is_file():
        return exact
    matches = sorted((root / "records").glob(f"*/{commit[:8]}-{env_name}.json"))
    return matches[0] if matches else None


def repeats(outcome: dict[str, Any]) -> list[Repeat]:
    """The repeats of a recorded outcome, as the dataclasses `metrics` reads."""
    rebuilt = []
    for entry in outcome.get("repeats", ()):
        wrk = dict(entry["wrk"])
        result = WrkResult(
            **{k: v for k, v in wrk.items() if k not in ("latency", "thread_rate", "socket_errors")},
            latency=Latency(**wrk["latency"]),
            thread_rate=ThreadRate(**wrk["thread_rate"]),
            socket_errors=SocketErrors(**wrk["socket_errors"]),
        )
        rebuilt.append(Repeat(**{**entry, "wrk": result}))
    return rebuilt
