"""uWSGI (the pyuwsgi wheel of the same release) serving one WSGI app, exiting 0 on SIGTERM.

uWSGI's own command reloads on SIGTERM and, without a master process, ends
with its status 30 on SIGINT; with a master and ``--die-on-term`` both
signals stop it with status 0 (the master takes about a second to bury its
worker). ``--http11-socket`` makes the one worker speak HTTP/1.1 with
keep-alive itself, as every other server here does; ``--http`` would put
uWSGI's HTTP router, a second process, in front of it.
"""

import os
import sys

import pyuwsgi

USAGE = "usage: python -m stackbench.launchers.uwsgi_wsgi MODULE:APP HOST PORT"


def main() -> None:
    if len(sys.argv) < 4:
        raise SystemExit(USAGE)
    target, host, port = sys.argv[1:4]
    pyuwsgi.run([
        "--http11-socket", f"{host}:{port}", "--module", target, "--pythonpath", os.getcwd(),
        "--master", "--die-on-term", "--processes", "1", "--single-interpreter",
        "--need-app", "--disable-logging",
    ])


if __name__ == "__main__":
    main()
