"""An HTTP/1.1 server that keeps one connection alive and serves only it.

    python one_at_a_time_server.py HOST PORT

It answers the contract right, fast, but the next connection waits until
the current one closes (a single sync worker with keep-alive, as uWSGI's
--http11-socket with one process): at 32 connections, 31 get nothing.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

ROUTES = {
    "/": ("text/plain; charset=utf-8", b"Hello, World!"),
    "/json": ("application/json", json.dumps({"message": "Hello, World!"}).encode()),
}


class OneAtATime(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: this handler keeps the server until the client closes

    def do_GET(self):
        content_type, body = ROUTES.get(self.path, ("text/plain", b"Not Found"))
        self.send_response(200 if self.path in ROUTES else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    HTTPServer((sys.argv[1], int(sys.argv[2])), OneAtATime).serve_forever()
