"""An HTTP/1.1 server that keeps one connection alive and serves only it.

    python one_at_a_time_server.py HOST PORT

It answers the contract right, fast, but the next connection waits until
the current one closes (a single sync worker with keep-alive, as uWSGI's
--http11-socket with one process): at 32 connections, 31 get nothing.
"""

import sys
from http.server import HTTPServer

from contract_http import ContractHandler


class OneAtATime(ContractHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: this handler keeps the server until the client closes


if __name__ == "__main__":
    HTTPServer((sys.argv[1], int(sys.argv[2])), OneAtATime).serve_forever()
