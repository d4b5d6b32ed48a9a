"""The frozen reference app: raw ASGI hello world, a copy of apps/raw_asgi.py as
of 2026-11. Never edit it: the reference must stay the same program, so that it
changes only with the machine (stackbench/session/reference.py)."""

import json

PLAINTEXT = b"Hello, World!"
JSON = json.dumps({"message": "Hello, World!"}).encode()

ROUTES = {
    "/": (b"text/plain; charset=utf-8", PLAINTEXT),
    "/json": (b"application/json", JSON),
}


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    content_type, body = ROUTES.get(scope["path"], (b"text/plain", b"Not Found"))
    status = 200 if scope["path"] in ROUTES else 404
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
