"""Stacks: complete, pinned version sets, one file each in ``stacks/``.

A stack file pins every package the registry's servers and apps need,
transitive ones included, as resolved by ``uv pip compile`` for CPython 3.11
with nothing newer than a date. Each stack is one asv environment; the file
at the measured commit is the record of which versions were measured, and
`mismatches` makes sure the environment really holds them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from . import ROOT, registry
from .errors import ConfigError

STACKS_DIR = ROOT / "stacks"
PYTHON_VERSION = "3.11"
_AS_OF = re.compile(r"^# as-of: (\d{4}-\d{2}-\d{2})$", re.MULTILINE)
# "# cutoff: 2026-11-24T00:00:00Z": the instant the resolution stopped at (nothing uploaded after it).
_CUTOFF = re.compile(r"^# cutoff: (\S+)$", re.MULTILINE)
# "# provisional: 2026-12-04 had not ended when this was resolved; ...": a later lock may add releases.
_PROVISIONAL = re.compile(r"^# provisional: ", re.MULTILINE)
# "# index: https://pypi.org/simple": the registry it was resolved from.
_INDEX = re.compile(r"^# index: (\S+)$", re.MULTILINE)
# "# absent: litestar: no release on PyPI before 2022-11-24T00:00:00Z"
_ABSENT = re.compile(r"^# absent: ([A-Za-z0-9._-]+): (.+)$", re.MULTILINE)
# "# override: greenlet: meinheld 1.0.2 declares greenlet<0.5, ..."
_OVERRIDE = re.compile(r"^# override: ([A-Za-z0-9._-]+): (.+)$", re.MULTILINE)
# "# moved: pyyaml: 5.4.1, uv's choice by the date, does not install on CPython 3.11 (...); 6.0 ..."
_MOVED = re.compile(r"^# moved: ([A-Za-z0-9._-]+): (.+)$", re.MULTILINE)
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
    # Registry requirements the stack cannot have, and why (normalized name -> reason).
    absent: dict[str, str] = field(default_factory=dict)
    # Dependency bounds the stack ignores (registry.OVERRIDES): normalized name -> reason.
    overrides: dict[str, str] = field(default_factory=dict)
    # Packages moved past a release that does not install on CPython 3.11 (lock): name -> what and why.
    moved: dict[str, str] = field(default_factory=dict)
    # The instant its resolution stopped at, as uv's --exclude-newer took it (None: before stacks kept it).
    recorded_cutoff: str | None = None
    # Resolved before its date had ended: a later lock of the same date may add that day's releases.
    provisional: bool = False
    index: str | None = None  # the registry it was resolved from, when the file says

    @property
    def cutoff(self) -> str | None:
        """The instant to resolve it again at: the recorded one, else the end of its date."""
        if self.recorded_cutoff is not None:
            return self.recorded_cutoff
        return None if self.as_of is None else end_of_day(date.fromisoformat(self.as_of))

    def absent_of(self, requirements: Iterable[str]) -> list[str]:
        """The distributions of `requirements` that had no release by the stack's date."""
        return [registry.distribution(r) for r in requirements
                if normalize(registry.distribution(r)) in self.absent]

    @classmethod
    def from_file(cls, path: Path) -> Stack:
        text = path.read_text()
        found = _AS_OF.search(text)
        absent = {normalize(m[1]): m[2] for m in _ABSENT.finditer(text)}
        overrides = {normalize(m[1]): m[2] for m in _OVERRIDE.finditer(text)}
        moved = {normalize(m[1]): m[2] for m in _MOVED.finditer(text)}
        cutoff, index = _CUTOFF.search(text), _INDEX.search(text)
        return cls(path.stem, path, parse_pins(text, str(path)), found[1] if found else None, absent, overrides,
                   moved, cutoff[1] if cutoff else None, bool(_PROVISIONAL.search(text)), index[1] if index else None)


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


@dataclass(frozen=True)
class VersionChange:
    """One package's move between two versions of a stack (None: not in that version)."""

    name: str
    old: str | None
    new: str | None

    def __str__(self) -> str:
        return f"{self.name} {self.old or '(absent)'} -> {self.new or '(absent)'}"


def version_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[VersionChange]:
    """Every package whose pin differs between two pin sets, by name."""
    return [VersionChange(name, old.get(name), new.get(name))
            for name in sorted(old.keys() | new.keys()) if old.get(name) != new.get(name)]


def refresh_message(name: str, as_of: date, changes: list[VersionChange]) -> str:
    """The commit message of a refreshed stack: a summary line, then each change."""
    return (f"Refresh stack {name} as of {as_of.isoformat()}: {len(changes)} version change"
            f"{'' if len(changes) == 1 else 's'}\n\n" + "\n".join(str(c) for c in changes) + "\n")


def refresh(name: str, as_of: date, stacks_dir: Path = STACKS_DIR) -> list[VersionChange]:
    """Resolve an existing stack again as of `as_of`; its version changes.

    Without a change the file is left exactly as it was (only its date would
    differ), so that a refresh that moved nothing leaves nothing to commit.
    """
    before = load(name, stacks_dir)
    text = before.path.read_text()
    path = lock(name, as_of, stacks_dir)
    changes = version_changes(before.pins, Stack.from_file(path).pins)
    if not changes:
        path.write_text(text)
    return changes


def lock(name: str, as_of: date, stacks_dir: Path = STACKS_DIR, *, now: datetime | None = None) -> Path:
    """Resolve the registry's requirements as of the end of `as_of` (UTC); write the stack.

    The file records the instant the resolution stopped at (`cutoff`) and the
    registry it asked (`index_url`), so that locking again reproduces it. A
    date that has not ended yet stops at `now` and the stack is marked
    provisional: that day's later releases are not in it.
    """
    now = now or datetime.now(timezone.utc)
    if as_of > now.date():
        raise ConfigError(f"--as-of {as_of} is in the future (today is {now.date()}, UTC): a stack pins what "
                          "was released by its date; give a date up to today")
    stamp, provisional = cutoff(as_of, now)
    alone = {r: _newest_alone(r, stamp) for r in registry.requirements()}
    absent = {r: f"no release on {_registry_name()} before {stamp}" for r, version in alone.items()
              if version is None}
    wanted = [r for r in registry.requirements() if r not in absent]
    overrides = [o for o in registry.OVERRIDES if normalize(o.declared_by) not in
                 {normalize(registry.distribution(r)) for r in absent}]
    moved: list[Moved] = []
    while True:
        # A bare name as an override: any release of it, whatever other packages declare.
        replaced = [*(o.distribution for o in overrides), *(f"{m.name}=={m.new}" for m in moved)]
        completed = _compile(wanted, stamp, replaced,
                             newer_allowed={m.name: end_of_day(date.fromisoformat(m.uploaded)) for m in moved})
        if completed.returncode != 0:
            raise ConfigError(
                f"uv could not resolve the registry's requirements as of {as_of}:\n{completed.stderr}"
            )
        pins = parse_pins(completed.stdout, f"uv's resolution as of {as_of}")
        held_back = {r: (alone[r], pins[normalize(registry.distribution(r))]) for r in wanted
                     if pins.get(normalize(registry.distribution(r))) != alone[r]}
        header = (
            f"# Stack {name!r}: the newest releases on PyPI as of {as_of.isoformat()} "
            f"(uploaded before {stamp}), for CPython {PYTHON_VERSION}.\n"
            f"# Written by tools/lock_stack.py from stackbench/registry.py; rerun it, do not edit.\n"
            f"# as-of: {as_of.isoformat()}\n"
            f"# cutoff: {stamp}\n"
            + (f"# provisional: {as_of.isoformat()} had not ended when this was resolved; locking the same "
               f"date later may add releases uploaded after {stamp}\n" if provisional else "")
            + f"# index: {index_url()}\n"
            f"# requires: {' '.join(wanted)}\n"
            + "".join(f"# absent: {registry.distribution(r)}: {why}\n" for r, why in absent.items())
            + "".join(f"# override: {o.distribution}: {o.why}\n" for o in overrides)
            + "".join(f"# override: {m.name}: {MOVED_OVERRIDE}\n" for m in moved)
            + "".join(f"# moved: {m.name}: {m}\n" for m in moved)
            + "".join(f"# held back: {registry.distribution(r)}: {newest} is its newest release installable on "
                      f"CPython {PYTHON_VERSION} by then, but it cannot share the stack; {pinned} can\n"
                      for r, (newest, pinned) in held_back.items())
        )
        # Installed exactly as it will be written: its own comments carry the overrides.
        failure = _install_failure(header + completed.stdout)
        if failure is None:
            break
        failed, version, words = failure
        if any(m.name == failed for m in moved) or len(moved) >= MAX_MOVES:
            raise ConfigError(f"the stack as of {as_of} does not install on CPython {PYTHON_VERSION}: "
                              f"{failed} {version}: {words}")
        moved.append(_nearest_installable(failed, version, words))
    stacks_dir.mkdir(parents=True, exist_ok=True)
    path = stacks_dir / f"{name}.txt"
    path.write_text(header + completed.stdout)
    parse_pins(path.read_text(), str(path))  # refuse to leave a file we cannot read
    return path


# Why a moved package overrides its dependants' bounds (its stack's "# override:" line).
MOVED_OVERRIDE = "moved past the bounds its dependants declare (see 'moved')"
# How many packages a lock may move past an uninstallable release before it gives up.
MAX_MOVES = 5


@dataclass(frozen=True)
class Moved:
    """A package whose release as of a stack's date does not install on CPython 3.11, and what replaces it."""

    name: str
    old: str
    new: str
    uploaded: str  # when `new` was uploaded (date)
    why: str  # uv's words about `old`

    def __str__(self) -> str:
        return (f"{self.old}, uv's choice by the date, does not install on CPython {PYTHON_VERSION} ({self.why}); "
                f"{self.new} (uploaded {self.uploaded}), the nearest later release that does, replaces it")


def _install_failure(stack_text: str) -> tuple[str, str, str] | None:
    """Install a stack file's text into a scratch virtualenv: None, or the package uv
    failed to build, its version and uv's words about why."""
    with tempfile.TemporaryDirectory(prefix="stackbench-trial-") as folder:
        python = _new_virtualenv(Path(folder) / "venv")
        pin_file = Path(folder) / "stack.txt"
        pin_file.write_text(stack_text)
        try:
            install(pin_file, python, harness=False, quiet=True)
        except ConfigError as error:
            text = str(error)
            found = re.search(r"Failed to (?:build|download|install) `([A-Za-z0-9._-]+)==([^`]+)`", text)
            if found is None:
                raise ConfigError(f"a trial install of the stack failed, and uv names no package:\n{text}") from None
            cause = [line.strip(" │×╰─▶") for line in text.splitlines() if line.strip(" │×╰─▶")]
            why = next((line for line in reversed(cause) if "error" in line.lower()), cause[-1])
            return normalize(found[1]), found[2], why[:200]
    return None


def _nearest_installable(name: str, version: str, why: str) -> Moved:
    """The first final release of `name` uploaded after `version` that installs here on its own."""
    for candidate, uploaded in _later_releases(name, version):
        with tempfile.TemporaryDirectory(prefix="stackbench-trial-") as folder:
            python = _new_virtualenv(Path(folder) / "venv")
            done = subprocess.run([_require_uv(), "pip", "install", "-q", "--python", python, "--no-deps",
                                   f"{name}=={candidate}"], capture_output=True, text=True)
        if done.returncode == 0:
            return Moved(name, version, candidate, uploaded[:10], why)
    raise ConfigError(f"{name} {version} does not install on CPython {PYTHON_VERSION} ({why}), "
                      "and no later release does either")


def _later_releases(name: str, version: str) -> list[tuple[str, str]]:
    """Final releases of `name` uploaded after `version`, oldest first, with their upload times (PyPI's JSON)."""
    request = urllib.request.Request(f"{index_url()}/{normalize(name)}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    first: dict[str, str] = {}
    for entry in files:
        release = _release_of(entry["filename"])
        if release is None or entry.get("yanked") or not entry.get("upload-time"):
            continue
        first[release] = min(first.get(release, entry["upload-time"]), entry["upload-time"])
    if version not in first:
        raise ConfigError(f"{index_url()} lists no release {version} of {name}")
    return sorted(((v, t) for v, t in first.items() if t > first[version] and _FINAL.match(v)),
                  key=lambda item: item[1])


_FINAL = re.compile(r"^\d+(\.\d+)*(\.post\d+)?$")


def _release_of(filename: str) -> str | None:
    """The release a distribution file is of: "PyYAML-6.0.1-cp311-...whl" and "PyYAML-6.0.1.tar.gz" -> "6.0.1"."""
    if filename.endswith(".whl"):  # a wheel's name part never holds a dash
        return filename.split("-")[1]
    for suffix in (".tar.gz", ".zip"):
        if filename.endswith(suffix):  # an sdist's name part may: the release is after the last one
            return filename[: -len(suffix)].rsplit("-", 1)[-1]
    return None


def _new_virtualenv(target: Path) -> str:
    """A new virtualenv of the base interpreter at `target`; its Python."""
    uv = uv_executable() or _sibling_uv(ROOT)
    command = ([uv, "venv", "-q", "--python", str(base_python()), str(target)] if uv
               else [str(base_python()), "-m", "venv", str(target)])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigError(f"could not create {target}:\n$ {' '.join(command)}\n{done.stdout}{done.stderr}")
    return str(target / "bin" / "python")


def _compile(requirements: list[str], stamp: str | None, overrides: Iterable[str] = (), *,
             constraints: Iterable[str] = (), preferred: str | None = None,
             newer_allowed: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``uv pip compile`` on `requirements`; its output is the completed process's stdout.

    Each extra input is a file of a fixed name in a scratch folder, named
    relative to it, because uv writes those names into the output ("# via
    --override overrides.txt") and a stack must come out the same each time
    it is locked. `preferred` becomes uv's output file, whose pins uv keeps
    where the requirements allow (how it updates a lock file).
    """
    with tempfile.TemporaryDirectory(prefix="stackbench-resolve-") as folder:
        options = _input_files(Path(folder), overrides=overrides, constraints=constraints)
        if preferred is not None:
            (Path(folder) / "preferred.txt").write_text(preferred)
            options += ["--output-file", "preferred.txt"]
        if stamp is not None:
            options += ["--exclude-newer", stamp]
            # Moved past an uninstallable release: its replacement came later than the stamp.
            options += [a for name, until in (newer_allowed or {}).items()
                        for a in ("--exclude-newer-package", f"{name}={until}")]
        completed = subprocess.run(
            [_require_uv(), "pip", "compile", "-", "--python-version", PYTHON_VERSION, "--no-header", *options],
            input="\n".join(requirements) + "\n", capture_output=True, text=True, cwd=folder,
        )
        if preferred is not None and completed.returncode == 0:
            completed.stdout = (Path(folder) / "preferred.txt").read_text()
        return completed


def resolve(requirements: Iterable[str], *, stamp: str | None = None, constraints: Mapping[str, str] | None = None,
            preferred: Mapping[str, str] | None = None, overrides: Iterable[str] = ()) -> dict[str, str]:
    """uv's resolution of `requirements` for CPython 3.11: pins by normalized name.

    `constraints`: versions it must take; `preferred`: versions it keeps where
    it can; `overrides`: requirements that replace what packages declare;
    `stamp`: nothing uploaded after it. Unresolvable: a ConfigError with uv's words.
    """
    requirements = list(requirements)
    completed = _compile(requirements, stamp, overrides,
                         constraints=[f"{n}=={v}" for n, v in sorted((constraints or {}).items())],
                         preferred=None if preferred is None else pin_lines(preferred))
    if completed.returncode != 0:
        raise ConfigError(f"uv could not resolve {' '.join(requirements)}"
                          f"{f' as of {stamp}' if stamp else ''}:\n{completed.stderr.strip()}")
    return parse_pins(completed.stdout, f"uv's resolution of {' '.join(requirements)}")


def pin_lines(pins: Mapping[str, str]) -> str:
    """`name==version` lines, sorted: a pin file's body."""
    return "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))


_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def end_of_day(as_of: date) -> str:
    """The end of `as_of`, UTC, as uv's --exclude-newer takes it: ``2026-11-24T00:00:00Z`` for 2026-11-23."""
    return datetime.combine(as_of + timedelta(days=1), datetime.min.time(), timezone.utc).strftime(_STAMP)


def cutoff(as_of: date, now: datetime | None = None) -> tuple[str, bool]:
    """The instant a stack as of `as_of` stops at, and whether it is provisional.

    The end of that day (UTC); if the day has not ended at `now`, `now`
    itself (to the second), provisional: releases later that day are not in it.
    """
    end = end_of_day(as_of)
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    if now.strftime(_STAMP) >= end:
        return end, False
    return now.strftime(_STAMP), True


# The registry stacks resolve from, unless uv is told another (its own variables, newest first).
PYPI_SIMPLE = "https://pypi.org/simple"
INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL")


def _registry_name() -> str:
    return "PyPI" if index_url() == PYPI_SIMPLE else index_url()


def index_url() -> str:
    """The registry uv resolves from: UV_DEFAULT_INDEX or UV_INDEX_URL if set, else PyPI.

    uv reads the same variables, so the lock, its trial installs and the
    search for a later installable release all ask the one registry; the
    stack file records which (tests point it at an index of their own).
    """
    for variable in INDEX_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value.rstrip("/")
    return PYPI_SIMPLE


@contextmanager
def _override_file(lines: Iterable[str]) -> Iterator[tuple[list[str], str | None]]:
    """uv's ``--override`` arguments for `lines` and the folder to run uv in, or none.

    The file has a fixed name, given relative to that folder, because uv
    writes it into the stack file ("# via --override overrides.txt") and a
    stack must come out the same each time it is locked.
    """
    lines = list(lines)
    if not lines:
        yield [], None
        return
    with tempfile.TemporaryDirectory(prefix="stackbench-overrides-") as folder:
        yield _input_files(Path(folder), overrides=lines), folder


def _input_files(folder: Path, *, overrides: Iterable[str] = (), constraints: Iterable[str] = ()) -> list[str]:
    """Write uv's override and constraint files into `folder` under fixed names; the options naming them."""
    options = []
    for option, name, lines in (("--override", "overrides.txt", list(overrides)),
                                ("--constraint", "constraints.txt", list(constraints))):
        if lines:
            (folder / name).write_text("\n".join(lines) + "\n")
            options += [option, name]
    return options


def _newest_alone(requirement: str, stamp: str) -> str | None:
    """The version uv picks for `requirement` on its own before `stamp`, or None if it
    had no release yet (uv says "no versions of").

    The bounds the registry overrides for it count here as in the stack
    (registry.OVERRIDES): meinheld alone takes greenlet 3, as in every stack.
    """
    own = [o.distribution for o in registry.OVERRIDES
           if normalize(o.declared_by) == normalize(registry.distribution(requirement))]
    completed = _compile([requirement], stamp, own)
    if completed.returncode == 0:
        return parse_pins(completed.stdout, f"uv's resolution of {requirement}")[
            normalize(registry.distribution(requirement))]
    if "no versions of" in completed.stderr or "not found in the package registry" in completed.stderr:
        return None
    raise ConfigError(f"uv could not resolve {requirement} as of {stamp}:\n{completed.stderr}")


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


def install(stack_file: Path, python: str, root: Path = ROOT, *, harness: bool = True, quiet: bool = False) -> None:
    """Install a pin file (and the harness pins) into `python`'s environment, then check."""
    extra = list(harness_requirements(root)) if harness else []
    stack = Stack.from_file(stack_file)
    pins = dict(stack.pins)
    # The stack's overrides, at its pinned versions, so that the installer accepts the bounds it ignored.
    overridden = [f"{name}=={pins[name]}" for name in stack.overrides if name in pins]
    uv = uv_executable() or _sibling_uv(root)
    with _override_file(overridden) as (override, folder):
        if uv is not None:
            command = [uv, "pip", "install", "--python", python, "-r", str(stack_file.resolve()), *extra, *override]
        elif overridden:
            raise ConfigError(f"{stack_file} overrides dependency bounds ({', '.join(overridden)}), which only "
                              "uv can install: pip install uv (tools/bootstrap.sh does)")
        else:
            print("uv not found; installing with pip (slower)", flush=True)
            command = [python, "-m", "pip", "install", "-r", str(stack_file), *extra]
        if quiet:
            done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
            if done.returncode != 0:
                raise ConfigError(
                    f"could not install {stack_file}:\n$ {' '.join(command)}\n{done.stdout}{done.stderr}")
        else:
            subprocess.run(command, check=True, cwd=folder)
    pins |= parse_pins("\n".join(extra), "pyproject.toml dependencies")
    wrong = mismatches(pins, installed(python))
    if wrong:
        raise ConfigError(
            f"after installing {stack_file}, the environment of {python} does not match it:\n  "
            + "\n  ".join(wrong)
        )


def _sibling_uv(root: Path) -> str | None:
    candidate = root / ".venv" / "bin" / "uv"
    return str(candidate) if candidate.is_file() else None


def base_python() -> Path:
    """The interpreter asv's environments are virtualenvs of (never a virtualenv's own)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidate = Path(sys.base_prefix) / "bin" / f"python{version}"
    return candidate if candidate.exists() else Path(sys.base_prefix) / "bin" / "python3"


def pinned_environment(folder: Path, name: str, pins: str, *, harness: bool = True, root: Path = ROOT) -> str:
    """A virtualenv under `folder` holding exactly `pins`, built once; its Python.

    Named by a digest of the pins, the harness pins and the base interpreter,
    so a changed pin set gets a new environment and an unchanged one is
    reused. Built under a lock and marked complete last: a build cut short
    is rebuilt, never used.
    """
    extra = "\n".join(harness_requirements(root)) if harness else ""
    # Wheels from a local folder (--find-links) can change under one version: their content counts too.
    links = os.environ.get("UV_FIND_LINKS", "")
    local = "\n".join(f"{p.name} {hashlib.sha256(p.read_bytes()).hexdigest()}"
                      for p in sorted(Path(links).glob("*.whl"))) if links and Path(links).is_dir() else ""
    digest = hashlib.sha256(f"{pins}\n{extra}\n{base_python().resolve()}\n{local}".encode()).hexdigest()[:12]
    target = folder / f"{name}-{digest}"
    python = target / "bin" / "python"
    marker = target / "complete"
    if marker.is_file():
        return str(python)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder / f"{name}.lock"):
        if marker.is_file():  # built by another process meanwhile
            return str(python)
        shutil.rmtree(target, ignore_errors=True)
        _new_virtualenv(target)
        pin_file = folder / f"{target.name}.txt"
        pin_file.write_text(pins)
        install(pin_file, str(python), root, harness=harness, quiet=True)
        marker.write_text(pins)
    return str(python)


def stack_environment(name: str, root: Path = ROOT, stacks_dir: Path | None = None) -> str:
    """A virtualenv holding stack `name` and the harness, outside asv's matrix; its Python.

    For the tools that measure stacks without asv (tools/noise.py, culprit
    finding); asv builds its own environments for `asv run`.
    """
    stack = load(name, stacks_dir or root / "stacks")
    return pinned_environment(root / ".asv" / "stackbench-env", f"stack-{name}", stack.path.read_text(), root=root)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
