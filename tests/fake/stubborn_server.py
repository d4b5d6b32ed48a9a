"""An HTTP server that ignores SIGTERM, as some servers do (uwsgi reloads on it).

    python stubborn_server.py HOST PORT
"""

import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"Hello, World!"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    HTTPServer((sys.argv[1], int(sys.argv[2])), Hello).serve_forever()
