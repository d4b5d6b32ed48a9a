"""The references measured beside the pairs in every session (stackbench/session/reference.py).

Their figures follow the machine, not the code: a reference that moved
between two runs says the machine did. One sample per reading.
"""

from stackbench.asv.rounds import Handout
from stackbench.errors import PairFailed
from stackbench.session import reference

from .common import Suite, read, samples
from .grid import skip


class Reference(Suite):
    params = [[r.name for r in reference.REFERENCES]]
    param_names = ["reference"]
    version = "1"

    def track_seconds(self, handout: Handout, name):
        if handout.skip:
            skip(handout.skip)
        readings = [r.seconds for r in read(handout, f"Reference.track_seconds('{name}')").readings
                    if r.reference == name]
        if not readings:
            reason = handout.reference_failures.get(name, "not measured in this session")
            raise PairFailed(f"reference {name}: {reason}")
        return samples(readings)

    # Seconds per request of a server, seconds per iteration of the CPU loop.
    track_seconds.unit = "seconds"
