"""What every app must answer, and the check made before any load.

A throughput figure means nothing if the responses were errors or the wrong
page (the original study counted 404s as throughput). So each scenario states
the exact response, and `verify` compares a real answer against it.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Callable

from ..errors import ContractError

MESSAGE = "Hello, World!"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


def _as_bytes(body: bytes) -> bytes:
    return body


@dataclass(frozen=True)
class Scenario:
    """One request path and the response it must get."""

    name: str
    path: str
    content_type: str  # media type; a charset parameter is allowed
    expected: object  # what `decode(body)` must equal
    decode: Callable[[bytes], object]

    def body_ok(self, body: bytes) -> bool:
        try:
            return self.decode(body) == self.expected
        except ValueError:  # includes json.JSONDecodeError and UnicodeDecodeError
            return False


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("plaintext", "/", "text/plain", MESSAGE.encode(), _as_bytes),
    Scenario("json", "/json", "application/json", {"message": MESSAGE}, json.loads),
)


def scenario(name: str) -> Scenario:
    for candidate in SCENARIOS:
        if candidate.name == name:
            return candidate
    known = ", ".join(s.name for s in SCENARIOS)
    raise ContractError(f"no scenario named {name!r}; known: {known}")


def fetch(host: str, port: int, path: str, *, timeout: float = 5.0) -> Response:
    """One plain HTTP/1.1 GET; raises OSError/HTTPException if nothing answers."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        body = answer.read()
        return Response(answer.status, answer.getheader("Content-Type", ""), body)
    finally:
        connection.close()


def problems(response: Response, scenario: Scenario) -> list[str]:
    """Every way `response` breaks the contract of `scenario` (empty: it holds)."""
    found = []
    if response.status != 200:
        found.append(f"status: expected 200, got {response.status}")
    media_type = response.content_type.split(";", 1)[0].strip().lower()
    if media_type != scenario.content_type:
        found.append(
            f"Content-Type: expected {scenario.content_type}, got {response.content_type!r}"
        )
    if not scenario.body_ok(response.body):
        shown = response.body if len(response.body) <= 200 else response.body[:200] + b"..."
        found.append(f"body: expected {scenario.expected!r}, got {shown!r}")
    return found


def verify(host: str, port: int, scenario: Scenario, *, label: str) -> Response:
    """Request the scenario's path and raise `ContractError` unless it is right."""
    try:
        response = fetch(host, port, scenario.path)
    except (OSError, http.client.HTTPException) as error:
        raise ContractError(
            f"{label}: GET {scenario.path} got no answer ({error})"
        ) from error
    found = problems(response, scenario)
    if found:
        raise ContractError(
            f"{label}: GET {scenario.path} broke the app contract (apps/__init__.py): "
            + "; ".join(found)
        )
    return response
