"""The full record of what was measured, kept next to asv's results.

asv keeps one value (with statistics) per benchmark and nothing about why a
pair failed or was skipped. A record keeps the rest: every outcome with its
reason, every launch's wrk figures and reference readings, the machine, the
settings, the versions installed.

Records are keyed by run, so that no run can destroy another's:

    records/<machine>/<commit[:8]>-<asv environment>/<invocation>.json

one file per asv invocation (`asv_invocation.Invocation.id`), holding one
session per `setup_cache` call (an interleaved `asv continuous` calls it once
a round). A session is added to the file only once it is complete; while it
runs, the file plus the session so far are written to ``<invocation>.partial.json``
after every launch (not kept in git), so a run cut short shows what it got
to and never touches a complete record. `summary.py` then joins asv's value
for a cell with exactly the sessions that produced it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .measure.wallclock import Placement, Run, WorkloadResult
from .measure.wrk import Latency, ResponseCheck, SocketErrors, ThreadRate, WrkResult
from .session.reference import Reading
from .session.runner import Key, Outcome, Round, Sample, Session

FORMAT = 2
PARTIAL = ".partial.json"
COUNTS = ".counts.json"
COUNTS_FORMAT = "counts-1"


@dataclass
class Record:
    commit: str
    env_name: str
    stack: str
    machine: dict[str, str]  # name (asv's), fingerprint, host
    invocation: dict[str, Any]  # id, command, interleaved
    python: str
    settings: dict[str, Any]
    versions: dict[str, str]
    # The date the stack was resolved against (its file's "# as-of:").
    as_of: str | None = None
    # The calibration switch as the measured commit set it (calibration.py), if on.
    calibration: dict[str, Any] | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    format: int = FORMAT

    def rounds(self) -> list[Round]:
        """Every round of every session, in the order asv received them."""
        return [r for session in self.sessions for r in session_from_dict(session).rounds]


# -- writing ------------------------------------------------------------------

def directory_for(root: Path, machine: str, commit: str, env_name: str) -> Path:
    return root / "records" / machine / f"{commit[:8]}-{env_name}"


class Keeper:
    """Writes one invocation's record: the partial file during a session, the record after it."""

    def __init__(self, root: Path, record: Record):
        folder = directory_for(root, record.machine["name"], record.commit, record.env_name)
        self.path = folder / f"{record.invocation['id']}.json"
        self.partial = folder / f"{record.invocation['id']}{PARTIAL}"
        if self.path.is_file():  # an earlier round of this invocation
            record.sessions = load(self.path).sessions
        self.record = record

    def progress(self, session: Session) -> None:
        """The record so far, with `session` as it stands, to the partial file."""
        _write(self.partial, self.record, [*self.record.sessions, session_as_dict(session, complete=False)])

    def complete(self, session: Session) -> Path:
        """Add the finished session to the record; the partial file goes."""
        self.record.sessions.append(session_as_dict(session, complete=True))
        _write(self.path, self.record, self.record.sessions)
        self.partial.unlink(missing_ok=True)
        return self.path


def _write(path: Path, record: Record, sessions: list[dict[str, Any]]) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**asdict(record), "sessions": sessions}
    scratch = path.with_name(path.name + ".writing")
    scratch.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    os.replace(scratch, path)


def session_as_dict(session: Session, *, complete: bool) -> dict[str, Any]:
    return {
        "complete": complete,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "placement": {k: sorted(v) if v is not None else None for k, v in asdict(session.placement).items()},
        "reference_failures": dict(session.reference_failures),
        "rounds": [
            {
                "readings": [asdict(r) for r in round_.readings],
                "outcomes": [_outcome_as_dict(o) for o in round_.outcomes.values()],
            }
            for round_ in session.rounds
        ],
    }


def _outcome_as_dict(outcome: Outcome) -> dict[str, Any]:
    return {
        **outcome.key._asdict(),
        "status": outcome.status,
        "reason": outcome.reason,
        "tag": outcome.tag,
        "samples": [
            {"launch": s.launch, "peak_rss": s.peak_rss, "reference": s.reference,
             "result": _result_as_dict(s.result)}
            for s in outcome.samples
        ],
    }


def _result_as_dict(result: WorkloadResult) -> dict[str, Any]:
    data = asdict(result)
    if result.check is not None:
        data["check"]["example"] = result.check.example.hex()
    return data


# -- reading ------------------------------------------------------------------

def load(path: Path) -> Record:
    data = json.loads(path.read_text())
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: record format {data.get('format')!r}, expected {FORMAT}")
    return Record(**data)


def invocations(root: Path, machine: str, commit: str, env_name: str) -> list[Record]:
    """Every complete record of a commit and environment on a machine, oldest first."""
    folder = directory_for(root, machine, commit, env_name)
    paths = [p for p in folder.glob("*.json") if not p.name.endswith((PARTIAL, ".writing", COUNTS))]
    found = [load(p) for p in paths]
    return sorted(found, key=lambda r: min((s["started_at"] for s in r.sessions), default=0.0))


def session_from_dict(data: dict[str, Any]) -> Session:
    placement = data["placement"]
    return Session(
        rounds=[
            Round(
                outcomes={(o.tag, o.key): o for o in (_outcome_from_dict(d) for d in round_["outcomes"])},
                readings=[Reading(**r) for r in round_["readings"]],
            )
            for round_ in data["rounds"]
        ],
        started_at=data["started_at"],
        ended_at=data["ended_at"],
        placement=Placement(*(frozenset(placement[k]) if placement[k] is not None else None
                              for k in ("server", "load"))),
        reference_failures=data.get("reference_failures", {}),
    )


def _outcome_from_dict(data: dict[str, Any]) -> Outcome:
    key = Key(*(data[name] for name in Key._fields))
    samples = tuple(
        Sample(s["launch"], _result_from_dict(s["result"]), s["peak_rss"], s["reference"])
        for s in data["samples"]
    )
    return Outcome(key, data["status"], data["reason"], samples, data.get("tag", ""))


def _result_from_dict(data: dict[str, Any]) -> WorkloadResult:
    check = data.get("check")
    return WorkloadResult(
        scenario=data["scenario"],
        connections=data["connections"],
        runs=tuple(
            Run(wrk=_wrk_from_dict(r["wrk"]), server_cpu_seconds=r["server_cpu_seconds"],
                wrk_cpu_seconds=r["wrk_cpu_seconds"], load_cpu_busy=r.get("load_cpu_busy"))
            for r in data["runs"]
        ),
        started_at=data["started_at"],
        ended_at=data["ended_at"],
        check=ResponseCheck(check["checked"], check["mismatches"], bytes.fromhex(check["example"]))
        if check else None,
    )


def _wrk_from_dict(data: dict[str, Any]) -> WrkResult:
    nested = ("latency", "thread_rate", "socket_errors")
    return WrkResult(
        **{k: v for k, v in data.items() if k not in nested},
        latency=Latency(**data["latency"]),
        thread_rate=ThreadRate(**data["thread_rate"]),
        socket_errors=SocketErrors(**data["socket_errors"]),
    )


# -- counts -------------------------------------------------------------------

@dataclass
class CountRecord:
    """One counting `setup_cache` (session/counts.py), kept as ``<invocation>.counts.json``.

    Filed under the count machine (machine.count_machine_name), like its asv
    results; written again after every pair, so a run cut short keeps what it
    counted (``complete`` false).
    """

    commit: str
    env_name: str
    stack: str
    machine: dict[str, str]  # name (the count machine's), fingerprint, host (the host that counted)
    invocation: dict[str, Any]
    python: str
    versions: dict[str, str]
    session: dict[str, Any]  # CountSession.as_dict()
    as_of: str | None = None
    calibration: dict[str, Any] | None = None
    complete: bool = False
    format: str = COUNTS_FORMAT

    @property
    def path_in(self) -> Path:
        return Path("records", self.machine["name"], f"{self.commit[:8]}-{self.env_name}",
                    f"{self.invocation['id']}{COUNTS}")

    def write(self, root: Path) -> Path:
        path = root / self.path_in
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".writing")
        scratch.write_text(json.dumps(asdict(self), indent=1, sort_keys=True) + "\n")
        os.replace(scratch, path)
        return path


def load_counts(path: Path) -> CountRecord:
    data = json.loads(path.read_text())
    if data.get("format") != COUNTS_FORMAT:
        raise ValueError(f"{path}: count record format {data.get('format')!r}, expected {COUNTS_FORMAT}")
    return CountRecord(**data)


def count_records(root: Path) -> list[CountRecord]:
    """Every count record under root/records, oldest first."""
    found = [load_counts(p) for p in sorted((root / "records").glob(f"*/*/*{COUNTS}"))]
    return sorted(found, key=lambda r: r.session.get("started_at", 0.0))
