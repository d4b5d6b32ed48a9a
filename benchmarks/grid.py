"""What every suite's classes share: their parameter grid, and how a read is skipped."""

from stackbench import registry
from stackbench.serve.contract import SCENARIOS


def params(interface, connections):
    """asv's `params` of one interface: server, framework, scenario, connections."""
    return [
        [s.name for s in registry.servers(interface)],
        [a.framework for a in registry.apps(interface)],
        [s.name for s in SCENARIOS],
        list(connections),
    ]


def skip(reason):
    """Tell asv this read has no figure, and why (asv records NaN)."""
    from asv_runner.benchmarks.mark import SkipNotImplemented

    raise SkipNotImplemented(reason)
