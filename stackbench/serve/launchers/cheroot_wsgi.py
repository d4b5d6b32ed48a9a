"""cheroot (CherryPy's WSGI server) with 4 threads, exiting 0 on SIGTERM or SIGINT.

`python -m cheroot` stops cleanly but then dies by the signal, and binds
[::1]:8000 unless told otherwise; this serves with the same Server class.

The listen backlog is raised from cheroot's default of 5: with 32 clients
connecting at once, the kernel dropped the connection requests beyond it,
the clients retried a second later, and the response check saw 1-3 of 32
connections get no answer for its whole run. 1024 is waitress's default
(gunicorn and uvicorn use 2048).
"""

import signal

from cheroot import wsgi

from . import app_and_address

THREADS = 4  # as waitress, gunicorn-gthread and granian WSGI in the registry
BACKLOG = 1024


def _stop(signum, frame):
    raise SystemExit(0)  # cheroot's safe_start stops the server, then lets it through


def main() -> None:
    app, host, port = app_and_address()
    server = wsgi.Server((host, port), app, numthreads=THREADS, request_queue_size=BACKLOG)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.safe_start()


if __name__ == "__main__":
    main()
