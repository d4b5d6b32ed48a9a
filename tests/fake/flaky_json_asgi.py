"""An ASGI app whose plaintext is always right and whose /json goes wrong under load.

Every 50th /json response on a connection says "Hello, Wrold!" (valid JSON,
status 200). The response check loads both paths at once: it must blame
/json, with the count, and only /json.
"""

import collections

from apps import raw_asgi

WRONG = b'{"message": "Hello, Wrold!"}'
_served = collections.Counter()


async def app(scope, receive, send):
    if scope["type"] != "http" or scope["path"] != "/json":
        return await raw_asgi.app(scope, receive, send)
    client = tuple(scope.get("client") or ())
    _served[client] += 1
    body = WRONG if _served[client] % 50 == 0 else raw_asgi.JSON
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
