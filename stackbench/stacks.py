"""Stacks: complete, pinned version sets, one file each in ``stacks/``.

A stack file pins every package the registry's servers and apps need,
transitive ones included, as resolved by ``uv pip compile`` for CPython 3.11
with nothing newer than a date. Each stack is one asv environment; the file
at the measured commit is the record of which versions were measured, and
`mismatches` makes sure the environment really holds them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from . import registry
from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
STACKS_DIR = ROOT / "stacks"
PYTHON_VERSION = "3.11"
_AS_OF = re.compile(r"^# as-of: (\d{4}-\d{2}-\d{2})$", re.MULTILINE)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


# The stack tools/quickstart.py measures: refreshed by commits to stacks/latest.txt.
CURRENT = "latest"


def asv_environment(stack: str) -> str:
    """The name asv gives a stack's environment (for `asv run -E NAME`).

    asv names matrix environments <type>-py<python>-<VAR><value>, from
    asv.conf.json's environment_type, pythons and matrix.env.STACK.
    """
    return f"virtualenv-py{PYTHON_VERSION}-STACK{stack}"


def normalize(name: str) -> str:
    """PEP 503 form of a distribution name: ``Typing_Extensions`` -> ``typing-extensions``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_pins(text: str, source: str = "stack file") -> dict[str, str]:
    pins = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _PIN.match(line)
        if not match:
            raise ConfigError(
                f"{source}:{number}: {raw.strip()!r} is not a `name==version` pin; "
                "stack files are written by tools/lock_stack.py, not by hand"
            )
        pins[normalize(match[1])] = match[2]
    return pins


@dataclass(frozen=True)
class Stack:
    name: str
    path: Path
    pins: dict[str, str]
    as_of: str | None  # the date its packages were resolved against

    @classmethod
    def from_file(cls, path: Path) -> Stack:
        text = path.read_text()
        found = _AS_OF.search(text)
        return cls(path.stem, path, parse_pins(text, str(path)), found[1] if found else None)


def names(stacks_dir: Path = STACKS_DIR) -> list[str]:
    return sorted(p.stem for p in stacks_dir.glob("*.txt"))


def load(name: str, stacks_dir: Path = STACKS_DIR) -> Stack:
    path = stacks_dir / f"{name}.txt"
    if not path.is_file():
        known = ", ".join(names(stacks_dir)) or "none"
        raise ConfigError(
            f"no stack {name!r}: {path} does not exist (known: {known}); "
            "write one with tools/lock_stack.py --as-of YYYY-MM-DD"
        )
    return Stack.from_file(path)


def uv_executable() -> str | None:
    """uv from PATH, else from the `uv` package of this interpreter, else None."""
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]
    except ImportError:
        return None
    return find_uv_bin()


def _require_uv() -> str:
    uv = uv_executable()
    if uv is None:
        raise ConfigError("uv is needed to resolve stacks: pip install uv (tools/bootstrap.sh does)")
    return uv


def lock(name: str, as_of: date, stacks_dir: Path = STACKS_DIR) -> Path:
    """Resolve the registry's requirements as of the end of `as_of` (UTC); write the stack."""
    cutoff = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), timezone.utc)
    stamp = cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")
    wanted = registry.requirements()
    completed = subprocess.run(
        [
            _require_uv(), "pip", "compile", "-",
            "--exclude-newer", stamp,
            "--python-version", PYTHON_VERSION,
            "--no-header",
        ],
        input="\n".join(wanted) + "\n",
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise ConfigError(
            f"uv could not resolve the registry's requirements as of {as_of}:\n{completed.stderr}"
        )
    header = (
        f"# Stack {name!r}: the newest releases on PyPI as of {as_of.isoformat()} "
        f"(uploaded before {stamp}), for CPython {PYTHON_VERSION}.\n"
        f"# Written by tools/lock_stack.py from stackbench/registry.py; rerun it, do not edit.\n"
        f"# as-of: {as_of.isoformat()}\n"
        f"# requires: {' '.join(wanted)}\n"
    )
    path = stacks_dir / f"{name}.txt"
    path.write_text(header + completed.stdout)
    parse_pins(path.read_text(), str(path))  # refuse to leave a file we cannot read
    return path


def harness_requirements(root: Path = ROOT) -> list[str]:
    """The measurement library's own pins (pyproject's dependencies)."""
    with (root / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


_LIST_INSTALLED = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


def installed(python: str = sys.executable) -> dict[str, str]:
    """Distributions installed for `python`, by normalized name."""
    completed = subprocess.run(
        [python, "-c", _LIST_INSTALLED], capture_output=True, text=True, check=True
    )
    return {normalize(k): v for k, v in json.loads(completed.stdout).items()}


def mismatches(pins: dict[str, str], present: dict[str, str]) -> list[str]:
    """Each pin that `present` does not hold at exactly that version."""
    found = []
    for name, version in sorted(pins.items()):
        have = present.get(name)
        if have != version:
            found.append(f"{name} {version} pinned, {have or 'nothing'} installed")
    return found


def install(stack_file: Path, python: str, root: Path = ROOT) -> None:
    """Install a stack file and the harness pins into `python`'s environment, then check."""
    harness = list(harness_requirements(root))
    uv = uv_executable()
    if uv is not None:
        command = [uv, "pip", "install", "--python", python, "-r", str(stack_file), *harness]
    else:
        print("uv not found; installing with pip (slower)", flush=True)
        command = [python, "-m", "pip", "install", "-r", str(stack_file), *harness]
    subprocess.run(command, check=True)
    pins = parse_pins(stack_file.read_text(), str(stack_file))
    pins |= parse_pins("\n".join(harness), "pyproject.toml dependencies")
    wrong = mismatches(pins, installed(python))
    if wrong:
        raise ConfigError(
            f"after installing {stack_file}, the environment of {python} does not match it:\n  "
            + "\n  ".join(wrong)
        )
