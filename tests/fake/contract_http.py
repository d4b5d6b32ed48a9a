"""The app contract over http.server, for the fake servers run as scripts.

The raw ASGI app's routes (apps/raw_asgi.py): "/" in plain text, "/json";
anything else 404. serve() puts the checkout on PYTHONPATH.
"""

from http.server import BaseHTTPRequestHandler

from apps.raw_asgi import ROUTES


class ContractHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        content_type, body = ROUTES.get(self.path, (b"text/plain", b"Not Found"))
        self.send_response(200 if self.path in ROUTES else 404)
        self.send_header("Content-Type", content_type.decode())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass
