"""An ASGI app that answers right to a single request and wrongly under load.

On each connection, every 50th response has an empty body and every 97th
says "Hello, Wrold!", both with status 200: wrk counts them as successes,
and the contract check (the first request of a new connection) always sees
the right answer. Only the response check can catch it.
"""

import collections

RIGHT = b"Hello, World!"
_served = collections.Counter()


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    _served[tuple(scope.get("client") or ())] += 1
    number = _served[tuple(scope.get("client") or ())]
    body = b"" if number % 50 == 0 else b"Hello, Wrold!" if number % 97 == 0 else RIGHT
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
