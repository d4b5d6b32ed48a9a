"""uWSGI (the pyuwsgi wheel of the same release) serving one WSGI app, exiting 0 on SIGTERM.

uWSGI's own command reloads on SIGTERM and, without a master process, ends
with its status 30 on SIGINT; with a master and ``--die-on-term`` both
signals stop it with status 0 (the master takes about a second to bury its
worker). ``--http-socket`` makes the one worker speak HTTP itself
(``--http`` would put uWSGI's HTTP router, a second process, in front of
it), one request per connection, and ``Connection: close`` says so to the
client, as gunicorn's sync worker does. ``--http11-socket`` would keep each
connection alive, and one sync worker then serves a single connection
until it closes: at 32 connections, 31 waited for the whole run, unanswered
and unreported, while wrk recorded the one served connection's latency
(the response check now refuses such a run).
"""

import os

import pyuwsgi

from stackbench.serve.launchers import target_and_address


def main() -> None:
    # uWSGI imports the app itself (--module), in the worker it forks.
    target, host, port = target_and_address()
    pyuwsgi.run([
        "--http-socket", f"{host}:{port}", "--add-header", "Connection: close",
        "--module", target, "--pythonpath", os.getcwd(),
        "--master", "--die-on-term", "--processes", "1", "--single-interpreter",
        "--need-app", "--disable-logging",
    ])


if __name__ == "__main__":
    main()
