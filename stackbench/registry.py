"""The one list of servers and apps that everything else reads.

The asv suite's parameters, the stack lock's requirements, the tests and the
page all come from here; nothing else spells out which servers or frameworks
exist. Standard library only: asv imports this while discovering the suite.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from typing import Literal

from .errors import ConfigError

Interface = Literal["asgi", "wsgi", "http"]
# The grid's interfaces; "http" is only the nginx reference's (stackbench/session/reference.py).
INTERFACES: tuple[Interface, ...] = ("asgi", "wsgi")


@dataclass(frozen=True)
class Server:
    """How to run one server (or server variant) for one interface.

    `command` is an argv template; `{python}`, `{target}` (``module:app``),
    `{host}` and `{port}` are filled in at launch. Every command asks for one
    worker process and quiet logs, and runs the server with the environment's
    own Python (``python -m``) so that the stack under test is what serves.
    """

    name: str
    interface: Interface
    requires: tuple[str, ...]
    command: tuple[str, ...]
    # What ends it gracefully; not every server exits on SIGTERM (uwsgi reloads).
    stop_signal: signal.Signals = signal.SIGTERM
    # The frameworks it serves, when not every app of its interface (a
    # framework's own server serves that framework only).
    serves: tuple[str, ...] = ()

    def argv(self, *, python: str, target: str, host: str, port: int) -> list[str]:
        values = {"python": python, "target": target, "host": host, "port": port}
        return [part.format(**values) for part in self.command]

    def can_serve(self, app: App) -> bool:
        return app.interface == self.interface and (not self.serves or app.framework in self.serves)


@dataclass(frozen=True)
class App:
    """A hello-world app of one framework, in ``apps/<framework>_<interface>.py``.

    Every app honours the same contract (see `contract.SCENARIOS`) and exposes
    its application object as ``app``. `module` is derived from the name; only
    the tests' deliberately broken apps live elsewhere.
    """

    framework: str
    interface: Interface
    requires: tuple[str, ...] = ()
    module: str = ""

    def __post_init__(self) -> None:
        if not self.module:
            object.__setattr__(self, "module", f"apps.{self.framework}_{self.interface}")

    @property
    def target(self) -> str:
        return f"{self.module}:app"


@dataclass(frozen=True)
class Pair:
    """A server serving an app: the unit that gets measured."""

    server: Server
    app: App

    def __post_init__(self) -> None:
        if self.server.interface != self.app.interface:
            raise ConfigError(
                f"{self.server.name} speaks {self.server.interface.upper()} but "
                f"{self.app.framework} is a {self.app.interface.upper()} app; "
                "pair servers and apps of the same interface"
            )

    @property
    def label(self) -> str:
        return f"{self.server.name} + {self.app.framework}"

    def describe(self, scenario: str) -> str:
        """How errors and progress name a measurement: ``uvicorn + raw (ASGI), json``."""
        return f"{self.label} ({self.app.interface.upper()}), {scenario}"

    @property
    def requires(self) -> tuple[str, ...]:
        return self.server.requires + self.app.requires


def _python_m(module: str, *args: str) -> tuple[str, ...]:
    return ("{python}", "-m", module, *args)


def _launcher(name: str, *leading: str) -> tuple[str, ...]:
    """The command of a server run through ``stackbench/serve/launchers/<name>.py`` ([LEADING...] TARGET HOST PORT)."""
    return _python_m(f"stackbench.serve.launchers.{name}", *leading, "{target}", "{host}", "{port}")


SERVERS: tuple[Server, ...] = (
    Server(
        "uvicorn",
        "asgi",
        requires=("uvicorn[standard]",),
        command=_python_m(
            "uvicorn", "{target}", "--host", "{host}", "--port", "{port}",
            "--workers", "1", "--loop", "uvloop", "--http", "httptools",
            "--log-level", "warning", "--no-access-log",
        ),
        # SIGINT exits 0; SIGTERM also stops it but reports -15.
        stop_signal=signal.SIGINT,
    ),
    Server(
        "hypercorn",
        "asgi",
        requires=("hypercorn",),
        # Access logs are off unless --access-logfile is given.
        command=_python_m(
            "hypercorn", "{target}", "--bind", "{host}:{port}",
            "--workers", "1", "--log-level", "warning",
        ),
    ),
    Server(
        "daphne",
        "asgi",
        requires=("daphne",),
        # -v 0 also silences the access log.
        command=_python_m("daphne", "-v", "0", "-b", "{host}", "-p", "{port}", "{target}"),
    ),
    Server(
        "uvicorn-h11",
        "asgi",
        requires=("uvicorn[standard]",),
        # Pure Python: h11 parser, asyncio loop.
        command=_python_m(
            "uvicorn", "{target}", "--host", "{host}", "--port", "{port}",
            "--workers", "1", "--loop", "asyncio", "--http", "h11",
            "--log-level", "warning", "--no-access-log",
        ),
        stop_signal=signal.SIGINT,
    ),
    Server(
        "hypercorn-uvloop",
        "asgi",
        requires=("hypercorn", "uvloop"),
        command=_python_m(
            "hypercorn", "{target}", "--bind", "{host}:{port}", "--workers", "1",
            "--worker-class", "uvloop", "--log-level", "warning",
        ),
    ),
    Server(
        "granian",
        "asgi",
        requires=("granian",),
        # granian's own command, with the options the installed release takes (launchers/granian_server.py).
        command=_launcher("granian_server", "asgi"),
    ),
    Server(
        "gunicorn-uvicorn",
        "asgi",
        # uvicorn's worker class, now kept in its own package (uvicorn.workers is deprecated).
        requires=("gunicorn", "uvicorn-worker", "uvicorn[standard]"),
        # The worker class from uvicorn-worker, or from uvicorn.workers before that package had it.
        command=_launcher("gunicorn_uvicorn"),
    ),
    Server(
        "sanic",
        "asgi",
        requires=("sanic",),
        # Sanic's own server, for the sanic app only; one process, no banner, no access log.
        command=_python_m(
            "sanic", "{target}", "--host", "{host}", "--port", "{port}", "--single-process",
            "--no-motd", "--no-access-logs",
        ),
        serves=("sanic",),
    ),
    Server(
        "gunicorn",
        "wsgi",
        requires=("gunicorn",),
        # The default sync worker; no access log unless --access-logfile.
        command=_python_m(
            "gunicorn", "--workers", "1", "--bind", "{host}:{port}",
            "--log-level", "warning", "{target}",
        ),
    ),
    Server(
        "gunicorn-gthread",
        "wsgi",
        requires=("gunicorn",),
        # Threads keep connections alive (the sync worker closes each one); 4, as
        # the other threaded WSGI servers here (a reasoned choice, not a measured one).
        command=_python_m(
            "gunicorn", "--workers", "1", "--worker-class", "gthread", "--threads", "4",
            "--bind", "{host}:{port}", "--log-level", "warning", "{target}",
        ),
    ),
    Server(
        "granian",
        "wsgi",
        requires=("granian",),
        # 4 blocking threads for the app where the release has the option (launchers/granian_server.py).
        command=_launcher("granian_server", "wsgi"),
    ),
    Server(
        "waitress",
        "wsgi",
        requires=("waitress",),
        # 4 threads, as the other threaded WSGI servers here; no access log.
        command=_python_m("waitress", "--listen={host}:{port}", "--threads=4", "{target}"),
        stop_signal=signal.SIGINT,
    ),
    Server(
        "cheroot",
        "wsgi",
        requires=("cheroot",),
        # CherryPy's WSGI server (the original study's "cherrypy"), 4 threads;
        # through a launcher that exits 0 on SIGTERM (stackbench/serve/launchers).
        command=_launcher("cheroot_wsgi"),
    ),
    Server(
        "uwsgi",
        "wsgi",
        # The pyuwsgi wheel: uWSGI's own code built for PyPI, no compiler needed.
        requires=("pyuwsgi",),
        # One worker under a master, HTTP/1.1 with keep-alive in the worker, no
        # request log; through a launcher that stops with status 0 (stackbench/serve/launchers).
        command=_launcher("uwsgi_wsgi"),
    ),
    Server(
        "bjoern",
        "wsgi",
        # Compiled against Debian's libev-dev at install (bjoern ships no wheels).
        requires=("bjoern",),
        command=_launcher("bjoern_wsgi"),
        stop_signal=signal.SIGINT,
    ),
    Server(
        "meinheld",
        "wsgi",
        # Its greenlet bound is overridden (OVERRIDES); keep-alive on, no access
        # log, through a launcher (stackbench/serve/launchers).
        requires=("meinheld",),
        command=_launcher("meinheld_wsgi"),
    ),
    Server(
        "twisted",
        "wsgi",
        requires=("twisted",),
        # twisted.web's WSGI resource, as `twist web --wsgi` serves it, through a
        # launcher that exits 0 on SIGTERM and logs nothing (stackbench/serve/launchers).
        command=_launcher("twisted_wsgi"),
    ),
)

APPS: tuple[App, ...] = (
    App("raw", "asgi"),
    App("starlette", "asgi", ("starlette",)),
    App("fastapi", "asgi", ("fastapi",)),
    App("falcon", "asgi", ("falcon",)),
    App("sanic", "asgi", ("sanic",)),
    App("blacksheep", "asgi", ("blacksheep",)),
    App("litestar", "asgi", ("litestar",)),
    App("quart", "asgi", ("quart",)),
    # The project in apps/django_project, as deployed (settings, URLconf, middleware).
    App("django", "asgi", ("django",)),
    App("responder", "asgi", ("responder",)),
    App("raw", "wsgi"),
    App("flask", "wsgi", ("flask",)),
    App("falcon", "wsgi", ("falcon",)),
    App("django", "wsgi", ("django",)),
    App("bottle", "wsgi", ("bottle",)),
    # Its typing-extensions bound is overridden (OVERRIDES).
    App("molten", "wsgi", ("molten",)),
)


def servers(interface: Interface) -> list[Server]:
    return [s for s in SERVERS if s.interface == interface]


def apps(interface: Interface) -> list[App]:
    return [a for a in APPS if a.interface == interface]


def pairs(interface: Interface | None = None) -> list[Pair]:
    """Every server paired with every app of its interface, in registry order."""
    chosen = INTERFACES if interface is None else (interface,)
    return [Pair(s, a) for i in chosen for s in servers(i) for a in apps(i) if s.can_serve(a)]


def find_pair(interface: Interface, server: str, framework: str) -> Pair:
    """The registered pair, or an error that lists what exists."""
    by_server = {s.name: s for s in servers(interface)}
    by_app = {a.framework: a for a in apps(interface)}
    if server not in by_server:
        raise ConfigError(
            f"no {interface.upper()} server named {server!r}; "
            f"known: {', '.join(sorted(by_server))} (stackbench/registry.py)"
        )
    if framework not in by_app:
        raise ConfigError(
            f"no {interface.upper()} app named {framework!r}; "
            f"known: {', '.join(sorted(by_app))} (stackbench/registry.py)"
        )
    never = unpaired(interface, server, framework)
    if never:
        raise ConfigError(never)
    return Pair(by_server[server], by_app[framework])


def unpaired(interface: str, server: str, framework: str) -> str:
    """Why a known server and a known app of `interface` are never paired (a
    framework's own server and another framework's app), or "" if they are, or
    if either is unknown. asv's parameter grid is the full product; this says
    which of its combinations are not pairs."""
    found_server = next((s for s in SERVERS if (s.interface, s.name) == (interface, server)), None)
    found_app = next((a for a in APPS if (a.interface, a.framework) == (interface, framework)), None)
    if found_server is None or found_app is None or found_server.can_serve(found_app):
        return ""
    return f"{server} serves only {', '.join(found_server.serves)}, not {framework} (stackbench/registry.py)"


def asv_pattern(pairs: list[Pair], suite: str = "") -> str:
    """The ``asv -b`` pattern that selects these pairs' benchmarks (and no reference).

    `suite` ("bench_pairs", "bench_counts") keeps it to that module's
    benchmarks; without it, every suite's cells of these pairs match. No
    pairs and a suite: every pair of that suite.
    """
    cells = "|".join(rf"\('{re.escape(p.server.name)}', '{re.escape(p.app.framework)}'" for p in pairs)
    if not suite:
        return cells
    return rf"^{re.escape(suite)}\." + (rf"\w+\.\w+(?:{cells})" if cells else "")


def pairs_named(text: str, option: str = "--pairs") -> list[Pair]:
    """The pairs a command line names as ``server:framework`` words (e.g. "uvicorn:raw gunicorn:flask").

    A framework with an app for both interfaces (falcon) names both pairs of a
    server that serves both; an unknown name is an error that says `option`.
    """
    chosen = []
    for item in text.split():
        server, _, framework = item.partition(":")
        matches = [p for p in pairs() if p.server.name == server and p.app.framework == framework]
        if not matches:
            raise ConfigError(f"{option}: no pair {item!r}; give server:framework, e.g. uvicorn:raw "
                              "(stackbench/registry.py)")
        chosen += matches
    return chosen


@dataclass(frozen=True)
class Override:
    """A dependency bound declared by a registered package that stacks ignore.

    Old packages carry upper bounds that today's ecosystem has moved past
    (molten: typing-extensions<4, which pydantic 2 and the rest exclude;
    meinheld: greenlet<0.5, which does not build on CPython 3.11). Each was
    checked to import and serve the contract with the newer dependency, and
    every measurement checks the responses under load anyway; so they share
    the stack's one environment instead of being dropped or given their own.
    The stack file lists each override with this reason (stacks.lock).
    """

    distribution: str
    declared_by: str
    why: str


OVERRIDES: tuple[Override, ...] = (
    Override("typing-extensions", "molten",
             "molten 1.0.2 declares typing-extensions<4; it runs with 4.x, which everything else needs"),
    Override("greenlet", "meinheld",
             "meinheld 1.0.2 declares greenlet<0.5, which does not build on CPython 3.11; it runs with greenlet 3"),
)


def requirements() -> list[str]:
    """Everything a stack must provide: the input of `tools/lock_stack.py`."""
    wanted = {req for thing in (*SERVERS, *APPS) for req in thing.requires}
    return sorted(wanted)


def distribution(requirement: str) -> str:
    """The distribution a requirement names: ``uvicorn[standard]`` -> ``uvicorn``."""
    return requirement.split("[", 1)[0].strip()
