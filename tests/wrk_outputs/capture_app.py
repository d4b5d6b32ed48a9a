"""The ASGI app behind the captured wrk outputs (see capture.py)."""

import asyncio

BIG = b"x" * (4 * 1024 * 1024)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path = scope["path"]
    status, body = 200, b"Hello, World!"
    if path == "/slow":  # about 1.2 s per answer: latency in seconds
        await asyncio.sleep(1.2)
    elif path == "/stall":  # slower than wrk's timeout: timeout errors
        await asyncio.sleep(3)
    elif path == "/big":  # 4 MiB answers: gigabytes read
        body = BIG
    elif path == "/kilo":  # 1 KiB answers, 0.1 s apart: kilobytes read
        await asyncio.sleep(0.1)
        body = BIG[:1024]
    elif path == "/missing":
        status, body = 404, b"Not Found"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
