"""Small real objects of the measurement model, for tests that need no server."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

from stackbench.measure import Placement, Run, WorkloadResult
from stackbench.reference import Reading
from stackbench.runner import Key, Outcome, Round, Sample, Session
from stackbench.wrk import Latency, SocketErrors, ThreadRate, WrkResult

KEY = Key("asgi", "uvicorn", "raw", "plaintext", 32)


def wrk_result(requests: int, duration: float = 1.0) -> WrkResult:
    return WrkResult(
        requests=requests, duration=duration, bytes_read=requests * 100, requests_per_second=requests / duration,
        transfer_per_second=requests * 100 / duration,
        latency=Latency(1e-3, 1e-4, 5e-3, 70.0, 9e-4, 1.1e-3, 1.3e-3, 2e-3),
        thread_rate=ThreadRate(1.0, 0.1, 2.0, 70.0), socket_errors=SocketErrors(), non_2xx_3xx=0, exact=True,
    )


def sample(seconds_per_request: float, *, launch: int = 1, at: float = 100.0, reference: float | None = None,
           wrk_cpu: float = 0.5) -> Sample:
    requests = round(1.0 / seconds_per_request)
    run = Run(wrk_result(requests), server_cpu_seconds=0.9, wrk_cpu_seconds=wrk_cpu)
    result = WorkloadResult("plaintext", 32, (run,), at - 0.5, at + 0.5, None)
    refs = {"uvicorn-frozen": reference} if reference is not None else {}
    return Sample(launch, result, 50 * 2**20, refs)


def session(*rounds: dict[Key, list[float]] | list[Outcome], started: float = 0.0, ended: float = 10.0,
            readings: tuple[Reading, ...] = ()) -> Session:
    """A session of rounds, each given as outcomes or as {key: seconds per request of each launch}."""
    built = []
    for spec in rounds:
        round_ = Round(readings=list(readings))
        outcomes = spec if isinstance(spec, list) else [
            Outcome(key, "measured", samples=tuple(sample(x, launch=i) for i, x in enumerate(values, 1)))
            for key, values in spec.items()
        ]
        for outcome in outcomes:
            round_.add(outcome)
        built.append(round_)
    return Session(built, started, ended, Placement(frozenset({0}), frozenset({1})))


def wheel(folder: Path, name: str, version: str, files: dict[str, str], requires: tuple[str, ...] = ()) -> Path:
    """A pure-Python wheel of `files` (path -> text), written into `folder`: a local package for uv."""
    info = f"{name}-{version}.dist-info"
    contents = {
        **files,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                            + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},"
        f"{len(text.encode())}\n" for path, text in contents.items()) + f"{info}/RECORD,,\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in {**contents, f"{info}/RECORD": record}.items():
            archive.writestr(member, text)
    return path
