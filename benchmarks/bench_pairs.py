"""Hello-world requests, per server x framework pair and scenario.

One class per interface, parameterised from `stackbench.registry`, with one
track_<metric> method per `stackbench.metrics.METRICS`. The inherited
`setup_cache` runs once per environment and commit and measures every pair of
both classes (stackbench.asv_environment); the track methods only hand asv
the samples, so the load runs once, not once per metric.
"""

from stackbench import asv_environment, registry
from stackbench.contract import SCENARIOS
from stackbench.errors import PairFailed
from stackbench.metrics import METRICS
from stackbench.runner import Key, selection_from_environ
from stackbench.settings import from_environ

# Read at import, so that a bad STACKBENCH_* value stops asv at discovery,
# before any environment is built, with a message saying what to fix.
SETTINGS = from_environ()
SELECTION = selection_from_environ()


def _params(interface):
    return [
        [s.name for s in registry.servers(interface)],
        [a.framework for a in registry.apps(interface)],
        [s.name for s in SCENARIOS],
    ]


class _PairSuite:
    interface = ""
    param_names = ["server", "framework", "scenario"]
    # Bump the number when a change alters what is measured. Results taken
    # with another concurrency are a different measurement, not comparable.
    version = f"1-c{SETTINGS.connections}"
    # The track_* methods only read what setup_cache measured.
    timeout = 60

    def setup_cache(self):
        return asv_environment.measure(SETTINGS, SELECTION)

    # asv's timeout counts silence; progress is printed after every wrk run,
    # so this only has to outlast the longest single step.
    setup_cache.timeout = SETTINGS.longest_silence

    def setup(self, outcomes, server, framework, scenario):
        outcome = outcomes[Key(self.interface, server, framework, scenario)]
        if outcome.status == "skipped":
            raise NotImplementedError(outcome.reason)
        if outcome.status == "failed":
            raise PairFailed(outcome.reason)


def _track(metric):
    """The asv benchmark of one metric: hands asv that metric's samples."""

    def track(self, outcomes, server, framework, scenario):
        measurement = outcomes[Key(self.interface, server, framework, scenario)].measurement
        samples = metric.samples(measurement.repeats)
        return {"samples": samples, "number": [1] * len(samples)}

    track.__name__ = track.__qualname__ = f"track_{metric.name}"
    track.unit = metric.unit
    return track


# track_seconds_per_request, track_latency_p50, ...: one per stackbench.metrics.METRICS.
for _metric in METRICS:
    setattr(_PairSuite, f"track_{_metric.name}", _track(_metric))


class Asgi(_PairSuite):
    interface = "asgi"
    params = _params("asgi")


class Wsgi(_PairSuite):
    interface = "wsgi"
    params = _params("wsgi")
