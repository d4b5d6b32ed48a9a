"""meinheld serving one WSGI app with keep-alive and no access log, exiting 0 on SIGTERM.

meinheld has no command line of its own (gunicorn's meinheld worker would
put gunicorn around it). Its defaults close every connection after one
request and log each one; `set_keepalive` keeps connections open, as every
other server here does, and the access log is turned off.
"""

from meinheld import server

from . import app_and_address

KEEPALIVE_SECONDS = 10


def main() -> None:
    app, host, port = app_and_address()
    server.listen((host, port))
    server.set_keepalive(KEEPALIVE_SECONDS)
    server.set_access_logger(None)
    server.run(app)


if __name__ == "__main__":
    main()
