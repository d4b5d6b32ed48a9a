"""The app contract's checks, on responses built here and on live apps."""

from __future__ import annotations

import pytest

from stackbench import registry, stacks
from stackbench.errors import ContractError, ServerError
from stackbench.serve.contract import SCENARIOS, Response, problems, scenario, verify
from stackbench.serve.server import HOST, serve
from stackbench.session.runner import plan
from stackbench.settings import Settings

PLAINTEXT, JSON = SCENARIOS


def test_exact_answers_pass():
    assert problems(Response(200, "text/plain; charset=utf-8", b"Hello, World!"), PLAINTEXT) == []
    assert problems(Response(200, "application/json", b'{"message":"Hello, World!"}'), JSON) == []


def test_every_difference_is_reported():
    found = problems(Response(404, "text/html", b"Not Found"), PLAINTEXT)
    assert found == [
        "status: expected 200, got 404",
        "Content-Type: expected text/plain, got 'text/html'",
        "body: expected b'Hello, World!', got b'Not Found'",
    ]


@pytest.mark.parametrize(
    "body", [b"Hello, World! ", b"hello, world!", b'"Hello, World!"']
)
def test_plaintext_body_must_be_exact(body):
    assert problems(Response(200, "text/plain", body), PLAINTEXT) != []


@pytest.mark.parametrize(
    "body", [b"not json", b'{"message": "Hello"}', b'{"message": "Hello, World!", "extra": 1}', b"\xff"]
)
def test_json_body_must_be_json_equal(body):
    assert problems(Response(200, "application/json", body), JSON) != []


def test_unknown_scenario():
    with pytest.raises(ContractError, match="no scenario named 'xml'; known: plaintext, json"):
        scenario("xml")


# Apps a stack holds back to a release that cannot start there (its "# held back"
# line says why), and the cause in the failure: a result too, shown on the page.
# responder 2.0.7 (its newest release until 2026) pins starlette 0.13; 1.2.0 shares
# those stacks, but its apistar needs typesystem's SchemaDefinitions, gone from typesystem 0.4.
BROKEN_AT = {
    ("responder", stack): r"(?s)exited with status 1 before answering.*typesystem"
    for stack in ("2022-11-23", "2023-11-23", "2024-11-23", "2025-11-23")
}


@pytest.mark.slow
@pytest.mark.parametrize("stack", stacks.names())
@pytest.mark.parametrize("app", registry.APPS, ids=lambda a: f"{a.framework}-{a.interface}")
def test_every_app_keeps_the_contract_on_every_stack(app, stack, stack_environments, tmp_path):
    server = registry.servers(app.interface)[0]
    pinned = stacks.load(stack)
    if pinned.absent_of(app.requires):
        # No release yet at the stack's date: the runner skips its pairs, saying so, and never launches them.
        jobs, skipped = plan(pinned.pins, Settings(), pairs=[registry.Pair(server, app)], stack=stack,
                             absent=pinned.absent)
        assert jobs == [] and skipped
        assert all("no release on PyPI before" in outcome.reason and outcome.status == "skipped"
                   for outcome in skipped)
        return
    broken = BROKEN_AT.get((app.framework, stack))
    if broken:
        # Known not to start there: it must fail, with this cause, and say so.
        with pytest.raises(ServerError, match=broken):
            with serve(registry.Pair(server, app), python=stack_environments(stack), workdir=tmp_path):
                pass
        return
    with serve(registry.Pair(server, app), python=stack_environments(stack), workdir=tmp_path) as running:
        for each in SCENARIOS:
            verify(HOST, running.port, each, label=f"{server.name} + {app.framework}, {each.name}")
