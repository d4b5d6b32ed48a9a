"""Small real objects of the measurement model, for tests that need no server."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from pathlib import Path

from stackbench.measure.wallclock import Placement, Run, WorkloadResult
from stackbench.measure.wrk import Latency, SocketErrors, ThreadRate, WrkResult
from stackbench.session.reference import Reading
from stackbench.session.runner import Key, Outcome, Round, Sample, Session

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
    name = name.replace("-", "_")  # a wheel's file name holds no dash but its separators
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


# A PEP 517 backend, kept in the sdist itself, that builds no wheel: a release that does not install.
FAILING_BACKEND = """\
import os


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = os.path.join(metadata_directory, "{name}-{version}.dist-info")
    os.makedirs(info)
    with open(os.path.join(info, "METADATA"), "w") as handle:
        handle.write("Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n")
    return "{name}-{version}.dist-info"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("error: {name} {version} does not build here (a test's broken release)")
"""


def unbuildable_sdist(folder: Path, name: str, version: str) -> Path:
    """An sdist whose metadata can be read but which builds no wheel (as PyYAML 5.4.1 on CPython 3.11)."""
    root = f"{name}-{version}"
    members = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        "backend.py": FAILING_BACKEND.format(name=name, version=version),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{root}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{root}/{member}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path
