"""What setup_cache hands asv: each cell's metric samples, computed once from the session."""

from __future__ import annotations

import pickle

import pytest

from stackbench.asv.metrics import METRICS
from stackbench.asv.rounds import Handout
from stackbench.session.runner import Outcome, Round

from .builders import KEY, sample, session

FAILED = KEY._replace(server="daphne")


def test_each_measured_cell_carries_every_metrics_samples_in_launch_order():
    samples = (sample(2e-5, launch=1, reference=4e-5), sample(3e-5, launch=2, reference=4e-5))
    handout = Handout.of(session([Outcome(KEY, "measured", samples=samples),
                                  Outcome(FAILED, "failed", "daphne sends no lifespan events")]))
    cell = handout.rounds[0].get(KEY)
    assert cell.status == "measured"
    for metric in METRICS:
        assert cell.samples[metric.name] == tuple(metric.samples(samples))
    assert cell.samples["normalized_seconds_per_request"] == pytest.approx((0.5, 0.75), rel=1e-4)
    failed = handout.rounds[0].get(FAILED)
    assert (failed.status, failed.reason, failed.samples) == ("failed", "daphne sends no lifespan events", {})
    assert handout.rounds[0].get(KEY._replace(framework="fastapi")) is None


def test_a_missing_reference_leaves_the_reason_instead_of_normalized_samples():
    handout = Handout.of(session([Outcome(KEY, "measured", samples=(sample(2e-5),))]))
    cell = handout.rounds[0].get(KEY)
    assert "was not measured in this session" in cell.samples["normalized_seconds_per_request"]
    assert cell.samples["seconds_per_request"] == (2e-5,)


def test_only_the_asv_sessions_untagged_outcomes_and_the_readings_are_handed_out():
    round_ = Round()
    round_.add(Outcome(KEY, "measured", samples=(sample(2e-5),)))
    round_.add(Outcome(KEY, "measured", samples=(sample(9e-5),), tag="culprit step"))
    built = session([])
    built.rounds[:] = [round_]
    cell = Handout.of(built).rounds[0].get(KEY)
    assert cell.samples["seconds_per_request"] == (2e-5,)
    assert pickle.loads(pickle.dumps(Handout.of(built))) == Handout.of(built)
