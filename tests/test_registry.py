"""The registry: what exists, how it is named, and what it refuses."""

from __future__ import annotations

import pytest

from stackbench import registry
from stackbench.errors import ConfigError
from stackbench.serve.server import ROOT


def test_the_grid():
    assert [s.name for s in registry.servers("asgi")] == [
        "uvicorn", "hypercorn", "daphne", "uvicorn-h11", "hypercorn-uvloop", "granian", "gunicorn-uvicorn", "sanic"]
    assert [s.name for s in registry.servers("wsgi")] == [
        "gunicorn", "gunicorn-gthread", "granian", "waitress", "cheroot", "uwsgi", "bjoern", "meinheld", "twisted"]
    assert [a.framework for a in registry.apps("asgi")] == [
        "raw", "starlette", "fastapi", "falcon", "sanic", "blacksheep", "litestar", "quart", "django", "responder"]
    assert [a.framework for a in registry.apps("wsgi")] == ["raw", "flask", "falcon", "django", "bottle", "molten"]
    # sanic's own server serves the sanic app only.
    assert [p.app.framework for p in registry.pairs("asgi") if p.server.name == "sanic"] == ["sanic"]
    assert len(registry.pairs()) == 7 * 10 + 1 + 9 * 6


def test_a_framework_server_refuses_other_apps():
    with pytest.raises(ConfigError, match="sanic serves only sanic, not starlette"):
        registry.find_pair("asgi", "sanic", "starlette")


@pytest.mark.parametrize("app", registry.APPS, ids=lambda a: a.module)
def test_every_app_module_exists_where_its_name_says(app):
    assert app.module == f"apps.{app.framework}_{app.interface}"
    assert (ROOT / "apps" / f"{app.framework}_{app.interface}.py").is_file()


@pytest.mark.parametrize("server", registry.SERVERS, ids=lambda s: s.name)
def test_commands_bind_loopback_with_one_worker_and_the_given_python(server):
    argv = server.argv(python="/env/bin/python", target="apps.raw_asgi:app", host="127.0.0.1", port=8123)
    assert argv[:2] == ["/env/bin/python", "-m"]
    joined = " ".join(argv)
    assert "127.0.0.1" in joined and "8123" in joined and "apps.raw_asgi:app" in joined
    assert "0.0.0.0" not in joined
    if "--workers" in argv:
        assert argv[argv.index("--workers") + 1] == "1"


def test_pairs_of_different_interfaces_are_refused():
    with pytest.raises(ConfigError, match="gunicorn speaks WSGI but starlette is a ASGI app"):
        registry.Pair(registry.servers("wsgi")[0], registry.apps("asgi")[1])


def test_unknown_names_list_what_exists():
    with pytest.raises(ConfigError, match="no ASGI server named 'nginx'; known: daphne, granian, gunicorn-uvicorn,"):
        registry.find_pair("asgi", "nginx", "raw")
    with pytest.raises(ConfigError, match="no WSGI app named 'responder'; known: bottle, django, falcon, flask, molten, raw"):
        registry.find_pair("wsgi", "gunicorn", "responder")


def test_requirements_are_what_stacks_resolve():
    assert registry.requirements() == sorted([
        "uvicorn[standard]", "hypercorn", "daphne", "gunicorn", "starlette", "fastapi", "falcon", "sanic", "flask",
        "uvloop", "granian", "uvicorn-worker", "waitress", "cheroot", "twisted", "blacksheep", "litestar", "quart",
        "django", "bottle", "pyuwsgi", "bjoern", "meinheld", "molten", "responder"])
    assert registry.distribution("uvicorn[standard]") == "uvicorn"


def test_pairs_named_reads_server_framework_words_and_names_the_option_on_error():
    named = registry.pairs_named("uvicorn:raw gunicorn:flask")
    assert [(p.server.name, p.app.framework, p.app.interface) for p in named] == [
        ("uvicorn", "raw", "asgi"), ("gunicorn", "flask", "wsgi")]
    with pytest.raises(ConfigError, match=r"--ab-pairs: no pair 'uvicorn'"):
        registry.pairs_named("uvicorn", "--ab-pairs")
    with pytest.raises(ConfigError, match="no pair 'gunicorn:starlette'"):
        registry.pairs_named("gunicorn:starlette")


def test_an_asv_pattern_can_keep_to_one_suite():
    import re

    pairs = registry.pairs_named("uvicorn:raw")
    pattern = re.compile(registry.asv_pattern(pairs, "bench_counts"))
    assert pattern.search("bench_counts.AsgiCounts.track_instructions_per_request('uvicorn', 'raw', 'json', 1)")
    assert not pattern.search("bench_pairs.Asgi.track_seconds_per_request('uvicorn', 'raw', 'json', 1)")
    assert not pattern.search("bench_counts.AsgiCounts.track_syscalls_per_request('uvicorn', 'falcon', 'json', 1)")
    every = re.compile(registry.asv_pattern([], "bench_counts"))
    assert every.search("bench_counts.WsgiCounts.track_syscalls_per_request('gunicorn', 'flask', 'json', 32)")
    assert not every.search("bench_reference.Reference.track_seconds")
