"""Exactly N requests over C keep-alive connections, every response checked.

Counting needs a load with a fixed number of requests: wrk runs for a fixed
time, so it sends a different number every run, and per-request counts
would then carry the start-up and idle work divided by a varying N. This
client opens C connections, sends one request at a time on each (the next
when the whole response has arrived), and hands out requests from one
counter, so the server answers exactly N whatever the interleaving. A
response with ``Connection: close`` (gunicorn's sync worker, uwsgi as we run
it) or an HTTP/1.0 one makes its connection reconnect, as wrk does.

Every response is held to the scenario's contract (`contract.problems`):
status, content type and body. One wrong answer raises `ContractError`;
nothing is counted from a run with errors.

One thread and non-blocking sockets: the client costs the server nothing
it would not cost under wrk, and under valgrind the server is 20-50x
slower than the client anyway.
"""

from __future__ import annotations

import selectors
import socket
import time
from dataclasses import dataclass, field

from ..errors import ContractError, LoadError
from ..serve.contract import Response, Scenario, problems


@dataclass(frozen=True)
class FixedCount:
    """What one fixed-count load did."""

    requests: int
    connections: int
    connects: int  # TCP connections opened (more than `connections` when the server closes them)
    seconds: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class _Reply:
    """One HTTP/1.x response being read off a connection."""

    buffer: bytearray = field(default_factory=bytearray)

    def complete(self, closed: bool) -> tuple[Response, bool, int] | None:
        """(the response, whether the server closes the connection, bytes used), once it has all arrived."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        version, _, rest = head[0].partition(" ")
        status = int(rest.split(" ", 1)[0])
        headers: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        closes = headers.get("connection", "").lower() == "close" or (
            version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive")
        start = end + 4
        if "content-length" in headers:
            length = int(headers["content-length"])
            if len(self.buffer) < start + length:
                return None
            body, used = bytes(self.buffer[start:start + length]), start + length
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            decoded = _dechunk(self.buffer, start)
            if decoded is None:
                return None
            body, used = decoded
        elif closed:  # delimited by the end of the connection
            body, used = bytes(self.buffer[start:]), len(self.buffer)
            closes = True
        else:
            return None
        return Response(status, headers.get("content-type", ""), body), closes, used


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    body, at = bytearray(), start
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
        at = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n", at)
            if trailer_end < 0:
                return None
            return bytes(body), trailer_end + 2
        if len(buffer) < at + size + 2:
            return None
        body += buffer[at:at + size]
        at += size + 2


def send(host: str, port: int, scenario: Scenario, *, requests: int, connections: int, label: str,
         idle_timeout: float = 120.0) -> FixedCount:
    """Send exactly `requests` GETs of `scenario`'s path over `connections` connections.

    Raises `ContractError` at the first response that breaks the contract
    and `LoadError` when the server stops answering for `idle_timeout` s or
    closes a connection mid-response.
    """
    if requests < 1 or connections < 1:
        raise ValueError("requests and connections must be at least 1")
    request = f"GET {scenario.path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    selector = selectors.DefaultSelector()
    replies: dict[socket.socket, _Reply] = {}
    issued = answered = connects = 0

    def connect() -> None:
        nonlocal issued, connects
        sock = socket.create_connection((host, port), timeout=idle_timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        sock.setblocking(False)
        connects += 1
        issued += 1
        replies[sock] = _Reply()
        selector.register(sock, selectors.EVENT_READ)

    def close(sock: socket.socket) -> None:
        selector.unregister(sock)
        del replies[sock]
        sock.close()

    started = time.perf_counter()
    try:
        for _ in range(min(connections, requests)):
            connect()
        while answered < requests:
            ready = selector.select(timeout=idle_timeout)
            if not ready:
                raise LoadError(f"{label}: no answer for {idle_timeout:.0f} s after {answered:,} of "
                                f"{requests:,} requests")
            for key, _ in ready:
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                try:
                    chunk = sock.recv(65536)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    chunk = b""
                reply = replies[sock]
                reply.buffer += chunk
                done = reply.complete(closed=not chunk)
                if done is None:
                    if not chunk:
                        raise LoadError(f"{label}: the server closed a connection "
                                        f"{'mid-response' if reply.buffer else 'without answering'} after "
                                        f"{answered:,} of {requests:,} requests")
                    continue
                response, closes, used = done
                found = problems(response, scenario)
                if found:
                    raise ContractError(f"{label}: response {answered + 1:,} of {requests:,} to GET {scenario.path} "
                                        f"broke the app contract: {'; '.join(found)}")
                answered += 1
                del reply.buffer[:used]
                if closes or not chunk:
                    close(sock)
                    if issued < requests:
                        connect()
                elif issued < requests:
                    sock.sendall(request)
                    issued += 1
                else:
                    close(sock)
    except OSError as error:
        raise LoadError(f"{label}: {error} after {answered:,} of {requests:,} requests") from error
    finally:
        for sock in list(replies):
            close(sock)
        selector.close()
    return FixedCount(answered, min(connections, requests), connects, time.perf_counter() - started)
