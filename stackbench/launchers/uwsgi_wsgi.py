"""uWSGI (the pyuwsgi wheel of the same release) serving one WSGI app, exiting 0 on SIGTERM.

uWSGI's own command reloads on SIGTERM and, without a master process, ends
with its status 30 on SIGINT; with a master and ``--die-on-term`` both
signals stop it with status 0 (the master takes about a second to bury its
worker). ``--http11-socket`` makes the one worker speak HTTP/1.1 with
keep-alive itself, as every other server here does; ``--http`` would put
uWSGI's HTTP router, a second process, in front of it.
"""

import os

import pyuwsgi

from stackbench.launchers import target_and_address


def main() -> None:
    # uWSGI imports the app itself (--module), in the worker it forks.
    target, host, port = target_and_address()
    pyuwsgi.run([
        "--http11-socket", f"{host}:{port}", "--module", target, "--pythonpath", os.getcwd(),
        "--master", "--die-on-term", "--processes", "1", "--single-interpreter",
        "--need-app", "--disable-logging",
    ])


if __name__ == "__main__":
    main()
