"""Exact cost per request, per pair, scenario and concurrency: counted under Callgrind.

Instructions, estimated cycles and system calls per request
(stackbench/measure/counting.py) do not depend on the machine's speed or
load, so each is handed to asv as one value (no samples, no interval: asv
then compares by factor alone) and kept under the count machine
(stackbench/machine.py), where every host with the same architecture,
valgrind and Python build joins:

    asv run --machine "$(.venv/bin/python -m stackbench.machine --counts)" -b bench_counts

Under a host's own machine every read is skipped; the wall-clock suite
(bench_pairs) is skipped under the count machine.
"""

from stackbench import registry
from stackbench.asv import cache
from stackbench.asv.rounds import CountHandout
from stackbench.errors import PairFailed
from stackbench.serve.lifeline import tie_forkserver_to_asv
from stackbench.session.runner import Key
from stackbench.settings import counting_from_environ

from .grid import params as grid_params
from .grid import skip

# Read at import: a bad STACKBENCH_COUNT_* value stops asv at discovery.
COUNTS = counting_from_environ()
# asv's forkserver imports the suite; it must not outlive asv (stackbench/serve/lifeline.py).
tie_forkserver_to_asv()

METRICS = (
    ("instructions", "instructions"),
    ("estimated_cycles", "cycles"),
    ("syscalls", "syscalls"),
)


class _CountSuite:
    interface = ""
    params: list = []
    param_names = ["server", "framework", "scenario", "connections"]
    # A count per request depends on the requests and connections it is divided by.
    version = f"counts-2-{COUNTS.version}"  # 2: per-request figures sum the serving processes only
    # One exact value: no repeats, no rounds.
    rounds = 1
    repeat = 1
    number = 1
    timeout = 60

    def setup_cache(self) -> CountHandout:
        return cache.count(COUNTS, benchmark_names)

    # The whole counting session runs inside it (~20 s a pair, `workers` at once).
    setup_cache.timeout = 3600 + 60 * len(registry.pairs())


def _track(metric, unit):
    def track(self, handout: CountHandout, server, framework, scenario, connections):
        if handout.skip:
            skip(handout.skip)
        unpaired = registry.unpaired(self.interface, server, framework)
        if unpaired:
            skip(unpaired)
        cell = handout.cells.get(Key(self.interface, server, framework, scenario, connections))
        if cell is None:
            raise PairFailed(f"{server} + {framework} was not counted in this session (was it selected?)")
        if cell.status == "skipped":
            skip(cell.reason)
        if cell.status == "failed":
            raise PairFailed(cell.reason)
        value = cell.values.get(metric)
        if value is None:
            skip(f"{metric} not taken in this session (estimated cycles need STACKBENCH_COUNT_CYCLES=1)")
        return value

    track.__name__ = track.__qualname__ = f"track_{metric}_per_request"
    track.unit = unit
    return track


for _metric, _unit in METRICS:
    setattr(_CountSuite, f"track_{_metric}_per_request", _track(_metric, _unit))


class AsgiCounts(_CountSuite):
    interface = "asgi"
    params = grid_params("asgi", COUNTS.connections)


class WsgiCounts(_CountSuite):
    interface = "wsgi"
    params = grid_params("wsgi", COUNTS.connections)


def benchmark_names(key: Key) -> list[str]:
    """The names asv gives one cell's count benchmarks, as `-b` patterns are matched against."""
    params = ", ".join(repr(p) for p in (key.server, key.framework, key.scenario, key.connections))
    cls = AsgiCounts if key.interface == "asgi" else WsgiCounts
    return [f"bench_counts.{cls.__name__}.track_{metric}_per_request({params})" for metric, _ in METRICS]
