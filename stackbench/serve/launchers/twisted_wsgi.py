"""twisted.web's WSGI resource on a TCP port, exiting 0 on SIGTERM.

`twist web --wsgi` stops cleanly but then kills itself with the signal it
got, and logs each request at info; this runs the same resource without a
log observer, so it is silent, and returns from the reactor with status 0.
"""

from twisted.internet import reactor
from twisted.web.server import Site
from twisted.web.wsgi import WSGIResource

from . import app_and_address


def main() -> None:
    app, host, port = app_and_address()
    resource = WSGIResource(reactor, reactor.getThreadPool(), app)
    reactor.listenTCP(port, Site(resource), interface=host)
    reactor.run()


if __name__ == "__main__":
    main()
