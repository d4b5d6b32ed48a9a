"""Variance components: each level's share is found where it was put."""

from __future__ import annotations

import random

import pytest

from stackbench.analysis.noise import components


def synthetic(sessions, launches, runs, *, session_cv, launch_cv, run_cv, seed=1):
    rng = random.Random(seed)
    data = []
    for _ in range(sessions):
        s = rng.gauss(1.0, session_cv)
        per_session = []
        for _ in range(launches):
            launch = s * rng.gauss(1.0, launch_cv)
            per_session.append([launch * rng.gauss(1.0, run_cv) for _ in range(runs)])
        data.append(per_session)
    return data


def test_components_recover_the_levels():
    found = components(synthetic(60, 8, 4, session_cv=0.04, launch_cv=0.02, run_cv=0.01))
    assert found.within_launch == pytest.approx(0.01, rel=0.15)
    assert found.between_launches == pytest.approx(0.02, rel=0.15)
    assert found.between_sessions == pytest.approx(0.04, rel=0.25)
    assert (found.sessions, found.launches, found.runs) == (60, 480, 1920)


def test_optimal_runs_follow_kalibera_and_jones():
    found = components(synthetic(40, 8, 4, session_cv=0.0, launch_cv=0.01, run_cv=0.01))
    # Equal variances, a launch costing 4 runs: sqrt(4 x 1) = 2 runs per launch.
    assert found.optimal_runs(launch_cost=4.0, run_cost=1.0) == pytest.approx(2.0, rel=0.25)
    # Noise only within launches, none between them: more runs per launch always pay.
    flat = components(synthetic(10, 4, 4, session_cv=0.0, launch_cv=0.0, run_cv=0.01))
    assert flat.optimal_runs(4.0, 1.0) > 4
