"""Hello-world requests, per server x framework pair, scenario and concurrency.

One class per interface, parameterised from `stackbench.registry`, with one
track_<metric> method per `stackbench.metrics.METRICS`; all read the shared
setup_cache (common.py). A sample is one server launch.
"""

from stackbench import registry
from stackbench.asv.metrics import METRICS
from stackbench.asv.rounds import Handout
from stackbench.errors import PairFailed
from stackbench.session.runner import Key

from .common import SETTINGS, Suite, read, samples
from .grid import params as grid_params
from .grid import skip


class _PairSuite(Suite):
    interface = ""
    param_names = ["server", "framework", "scenario", "connections"]
    # Bump when a change alters what is measured (not how precisely).
    version = "2"


def _track(metric):
    """The asv benchmark of one metric: hands asv that metric's samples of this round."""

    def track(self, handout: Handout, server, framework, scenario, connections):
        key = Key(self.interface, server, framework, scenario, connections)
        if handout.skip:
            skip(handout.skip)
        unpaired = registry.unpaired(self.interface, server, framework)
        if unpaired:
            skip(unpaired)
        name = f"{type(self).__name__}.track_{metric.name}{key[1:]}"
        cell = read(handout, name).get(key)
        if cell is None:
            raise PairFailed(f"{key} was not measured in this session (was it selected?)")
        if cell.status in ("skipped", "client-bound"):
            skip(cell.reason)
        if cell.status == "failed":
            raise PairFailed(cell.reason)
        values = cell.samples[metric.name]
        if isinstance(values, str):  # why there are none (a reference missing)
            raise PairFailed(values)
        return samples(list(values))

    track.__name__ = track.__qualname__ = f"track_{metric.name}"
    track.unit = metric.unit
    return track


# track_seconds_per_request, track_latency_p50, ...: one per stackbench.metrics.METRICS.
for _metric in METRICS:
    setattr(_PairSuite, f"track_{_metric.name}", _track(_metric))


class Asgi(_PairSuite):
    interface = "asgi"
    params = grid_params("asgi", SETTINGS.connections)


class Wsgi(_PairSuite):
    interface = "wsgi"
    params = grid_params("wsgi", SETTINGS.connections)
