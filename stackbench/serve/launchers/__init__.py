"""Small entry points for servers whose own command cannot be used as is.

The harness runs every server as ``{python} -m <module> ...`` with the
environment's own interpreter, and needs a stop signal that ends it with
status 0. cheroot's and twisted's commands stop cleanly but then exit by the
signal (status -15), uWSGI's reloads on SIGTERM, bjoern and meinheld have no
command; these launchers serve the same app with the same server classes and
exit 0. Each takes ``TARGET HOST PORT`` (TARGET as ``module:app``).
Standard library plus the server itself: they run inside the stack's
environment.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any


def target_and_address(argv: list[str] = sys.argv) -> tuple[str, str, int]:
    """TARGET, HOST and PORT from the command line (for a server that imports the app itself)."""
    if len(argv) < 4:
        raise SystemExit(f"usage: python -m {argv[0]} MODULE:APP HOST PORT")
    return argv[1], argv[2], int(argv[3])


def app_and_address(argv: list[str] = sys.argv) -> tuple[Any, str, int]:
    """The app object TARGET names, and HOST and PORT, from the command line."""
    target, host, port = target_and_address(argv)
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name or "app"), host, port


def release(text: str) -> tuple[int, ...]:
    """A release's leading numbers, for comparing: "1.6.4" -> (1, 6, 4), "2.0.0rc1" -> (2, 0, 0)."""
    found = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in found[0].split(".")) if found else ()
