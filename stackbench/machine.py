"""Which machine measured: a name that differs between machines of one kind.

asv files results under a machine name, by default the host name. Cloud
machines of one kind all answer `vm`, share /etc/machine-id (it is baked into
the image: here it predates the machine by months) and show the same CPU
model, yet measure up to 2x apart. So the name also carries a fingerprint of
this boot (/proc/sys/kernel/random/boot_id, random at every boot) next to the
machine id: a rebooted or replaced cloud machine is a new machine, which it
may well be. On a machine of your own whose speed you trust across reboots,
pick a fixed name with STACKBENCH_MACHINE.

`tools/bootstrap.sh` writes the name into asv's machine file under the host
name's key, which is where a plain `asv run` looks it up.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

NAME_VARIABLE = "STACKBENCH_MACHINE"
_SOURCES = (Path("/etc/machine-id"), Path("/proc/sys/kernel/random/boot_id"))
_VALID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def fingerprint() -> str:
    """12 hex digits from the machine id and this boot's id."""
    text = "\n".join(_read(p) for p in _SOURCES)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def default_name(environ: dict[str, str] | None = None) -> str:
    """STACKBENCH_MACHINE, else ``<host>-<first 8 of the fingerprint>``."""
    environ = dict(os.environ) if environ is None else environ
    chosen = environ.get(NAME_VARIABLE, "").strip()
    if chosen:
        if not _VALID.match(chosen):
            raise ConfigError(
                f"{NAME_VARIABLE}={chosen!r} is not a usable machine name; use letters, "
                "digits, '.', '_' and '-' (it names a folder of results/)"
            )
        return chosen
    return f"{socket.gethostname()}-{fingerprint()[:8]}"


def asv_machine_file(home: Path | None = None) -> Path:
    return (home or Path.home()) / ".asv-machine.json"


def register(name: str, info: dict[str, str], path: Path | None = None, *, default: bool = True) -> None:
    """Add `name` to asv's machine file; with `default`, as the machine a plain `asv run` on this host uses.

    asv looks the host name up in its machine file and files results under
    the entry's "machine" field; entries under other keys are kept.
    """
    path = path or asv_machine_file()
    data = json.loads(path.read_text()) if path.is_file() else {"version": 1}
    entry = {**info, "machine": name}
    if default:
        data[socket.gethostname()] = entry
    data[name] = entry
    path.write_text(json.dumps(data, indent=4, sort_keys=True) + "\n")


def register_with_asv(name: str | None = None) -> str:
    """Write asv's machine file for this machine (asv's own description, our name); the name."""
    from asv.machine import Machine

    name = name or default_name()
    register(name, Machine.get_defaults())
    return name


@dataclass(frozen=True)
class Identity:
    """What a record keeps about the machine that measured it."""

    name: str  # asv's machine name, the folder of results/ and records/
    fingerprint: str
    host: str

    @classmethod
    def here(cls, name: str) -> Identity:
        return cls(name=name, fingerprint=fingerprint(), host=socket.gethostname())


def asv_name(argv_machine: str | None, home: Path | None = None) -> str:
    """The machine name asv uses for this run, found as asv finds it.

    `argv_machine` is asv's --machine, if it was given. Otherwise asv looks
    the host name up in its machine file, or takes its only entry.
    """
    if argv_machine:
        return argv_machine
    path = asv_machine_file(home)
    host = socket.gethostname()
    try:
        data = {k: v for k, v in json.loads(path.read_text()).items() if isinstance(v, dict)}
    except (OSError, ValueError):
        data = {}
    if host in data:
        return data[host].get("machine", host)
    if len(data) == 1:
        return next(iter(data.values())).get("machine", host)
    return host


# -- where counts are kept -----------------------------------------------------
#
# Counts (measure/counting.py) do not depend on which machine of a kind took
# them, only on what executes: the CPU architecture (its instruction set), the
# valgrind that counts, and the Python build (version, compiler, flags). So
# they are filed under one asv machine named by those, which every host with
# the same three joins, instead of a per-host name.

COUNT_PREFIX = "counts-"


def is_count_machine(name: str) -> bool:
    return name.startswith(COUNT_PREFIX)


def python_build() -> str:
    """This interpreter's version and a short hash of its build (compiler, date, flags)."""
    import platform
    import sys
    import sysconfig

    build = "\n".join([sys.version, str(sysconfig.get_config_var("CONFIG_ARGS") or "")])
    return f"{platform.python_implementation().lower()}{platform.python_version()}-" + \
        hashlib.sha256(build.encode()).hexdigest()[:6]


def count_machine_name(valgrind_version: str | None = None) -> str:
    """``counts-<arch>-valgrind<version>-<python build>``, e.g. counts-x86_64-valgrind3.19.0-cpython3.11.7-1a2b3c."""
    import platform

    if valgrind_version is None:
        from .measure.counting import Toolchain

        valgrind_version = Toolchain.find().version
    return f"{COUNT_PREFIX}{platform.machine()}-valgrind{valgrind_version}-{python_build()}"


def register_count_machine(path: Path | None = None) -> str:
    """Add this host's count machine to asv's machine file (not as the host's default); its name."""
    import platform

    name = count_machine_name()
    register(name, {"arch": platform.machine(), "cpu": "any (counted under valgrind: " + name + ")",
                    "num_cpu": "", "os": platform.system(), "ram": ""}, path, default=False)
    return name


if __name__ == "__main__":  # `python -m stackbench.machine --counts`: the name to pass to asv --machine
    import sys

    print(count_machine_name() if "--counts" in sys.argv[1:] else default_name())
