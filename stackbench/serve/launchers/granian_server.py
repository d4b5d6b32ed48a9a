"""granian's own command, with the options of the granian release installed.

    python -m stackbench.serve.launchers.granian_server INTERFACE TARGET HOST PORT

Stacks span granian 0.6 to 2.x, and its command line grew on the way:
before 1.0 there was no access log (so no ``--no-access-log``) and no
``--blocking-threads``; 1.0 and later take both. Passing an option a
release does not know makes it exit with status 2 before serving. So this
builds the command for the installed release, then replaces itself with
granian (``os.execv``): the server is granian's own process, stopped by its
own signal handling. WSGI on a release without ``--blocking-threads`` runs
with granian's default threads, and the record's versions say which it was.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version

from . import release, target_and_address

INTERFACES = ("asgi", "wsgi")
BLOCKING_THREADS = "4"  # WSGI: as many threads for the app as the other threaded WSGI servers


def command(interface: str, target: str, host: str, port: int, granian: tuple[int, ...]) -> list[str]:
    """granian's arguments for one worker on `host`:`port`, as release `granian` takes them."""
    options = ["--interface", interface, "--host", host, "--port", str(port), "--workers", "1",
               "--log-level", "warning"]
    if granian >= (1,):
        options += ["--no-access-log"]
        if interface == "wsgi":
            options += ["--blocking-threads", BLOCKING_THREADS]
    return [*options, target]


def main() -> None:
    if len(sys.argv) < 5 or sys.argv[1] not in INTERFACES:
        raise SystemExit(f"usage: python -m stackbench.serve.launchers.granian_server {'|'.join(INTERFACES)} "
                         "MODULE:APP HOST PORT")
    interface = sys.argv[1]
    target, host, port = target_and_address(sys.argv[1:])
    argv = [sys.executable, "-m", "granian", *command(interface, target, host, port, release(version("granian")))]
    os.execv(sys.executable, argv)


if __name__ == "__main__":
    main()
