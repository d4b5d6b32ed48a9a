"""Shared fixtures: real stack environments, fake servers, leftover checks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from stackbench import registry, stacks
from stackbench.workspace import clone_working_tree  # noqa: F401 - used by test modules

ROOT = Path(__file__).resolve().parent.parent


def build_environment(stack: str, where: Path) -> str:
    """A real virtualenv holding `stack`'s pins and the harness; its Python."""
    subprocess.run([sys.executable, "-m", "virtualenv", "-q", "-p", "python3.11", str(where)], check=True)
    python = str(where / "bin" / "python")
    stacks.install(stacks.load(stack).path, python)
    return python


@pytest.fixture(scope="session")
def stack_environments(tmp_path_factory):
    """Builds each stack's environment once per session, when first asked for."""
    built: dict[str, str] = {}

    def get(stack: str) -> str:
        if stack not in built:
            built[stack] = build_environment(stack, tmp_path_factory.mktemp(f"env-{stack}"))
        return built[stack]

    return get


@pytest.fixture(scope="session")
def stack_python(stack_environments) -> str:
    """The interpreter of a virtualenv holding stacks/latest.txt."""
    return stack_environments(stacks.CURRENT)


def group_members(group: int) -> list[int]:
    """Live (non-zombie) processes in a process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[1].split()
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            members.append(int(entry.name))
    return members


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def assert_no_leftovers(group: int, pids: list[int] = ()) -> None:
    assert group_members(group) == [], f"processes left in group {group}"
    assert [p for p in pids if alive(p)] == [], "server processes outlived the test"


def running_with(token: str) -> list[int]:
    """Live processes whose command line holds `token` (for checks, never kills)."""
    found = []
    for process in psutil.process_iter(["cmdline", "status"]):
        if process.info["status"] != psutil.STATUS_ZOMBIE and token in " ".join(process.info["cmdline"] or ()):
            found.append(process.pid)
    return found


def fake_server(name: str, command: tuple[str, ...], stop_signal=None) -> registry.Server:
    extra = {} if stop_signal is None else {"stop_signal": stop_signal}
    return registry.Server(name, "asgi", requires=(), command=command, **extra)


RAW_ASGI = registry.App("raw", "asgi")
WRONG_BODY = registry.App("wrong-body", "asgi", module="tests.fake.wrong_body_asgi")
FLAKY_BODY = registry.App("flaky-body", "asgi", module="tests.fake.flaky_body_asgi")
FLAKY_JSON = registry.App("flaky-json", "asgi", module="tests.fake.flaky_json_asgi")
STUBBORN = fake_server(
    "stubborn", ("{python}", str(ROOT / "tests" / "fake" / "stubborn_server.py"), "{host}", "{port}")
)
ONE_AT_A_TIME = fake_server(
    "one-at-a-time", ("{python}", str(ROOT / "tests" / "fake" / "one_at_a_time_server.py"), "{host}", "{port}")
)
DIES_AT_START = fake_server(
    "dies-at-start",
    ("{python}", "-c", "import sys; print('cannot start: missing piece'); sys.exit(3)"),
)
