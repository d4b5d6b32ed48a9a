"""Raw WSGI, no framework: the floor that every WSGI framework adds to."""

import json

from apps.calibration import extra_cost

PLAINTEXT = b"Hello, World!"
JSON = json.dumps({"message": "Hello, World!"}).encode()

ROUTES = {
    "/": ("text/plain; charset=utf-8", PLAINTEXT),
    "/json": ("application/json", JSON),
}


def app(environ, start_response):
    extra_cost()
    path = environ.get("PATH_INFO", "/")
    content_type, body = ROUTES.get(path, ("text/plain", b"Not Found"))
    status = "200 OK" if path in ROUTES else "404 Not Found"
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
