"""The references measured beside the pairs in every session (stackbench/reference.py).

Their figures follow the machine, not the code: a reference that moved
between two runs says the machine did. One sample per reading.
"""

from stackbench import reference
from stackbench.asv_rounds import Handout
from stackbench.errors import PairFailed

from .common import Suite, read, samples


class Reference(Suite):
    params = [[r.name for r in reference.REFERENCES]]
    param_names = ["reference"]
    version = "1"

    def track_seconds(self, handout: Handout, name):
        readings = [r.seconds for r in read(handout, f"Reference.track_seconds('{name}')").readings
                    if r.reference == name]
        if not readings:
            reason = handout.reference_failures.get(name, "not measured in this session")
            raise PairFailed(f"reference {name}: {reason}")
        return samples(readings)

    # Seconds per request of a server, seconds per iteration of the CPU loop.
    track_seconds.unit = "seconds"
