"""The references: reading them at any moment, and the frozen environment."""

from __future__ import annotations

import pytest

from stackbench import stacks
from stackbench.session import reference
from stackbench.session.reference import Reading, Series


def test_series_interpolates_between_readings_and_holds_outside():
    series = Series([Reading("r", 20.0, 4.0), Reading("r", 10.0, 2.0)])
    assert series.at(10.0) == 2.0
    assert series.at(15.0) == pytest.approx(3.0)
    assert series.at(5.0) == 2.0 and series.at(25.0) == 4.0  # the nearest reading outside
    assert not Series([])


def test_the_frozen_pins_are_those_of_the_2024_stack():
    pinned = stacks.parse_pins(reference.FROZEN_PINS, "FROZEN_PINS")
    old = stacks.load("2024-11-23").pins
    assert pinned == {name: old[name] for name in pinned}


def test_the_normalizer_is_a_reference():
    assert reference.find(reference.NORMALIZER).name == reference.NORMALIZER


@pytest.mark.slow
def test_frozen_environment_holds_exactly_its_pins_and_is_reused():
    python = reference.frozen_python()
    pins = stacks.parse_pins(reference.FROZEN_PINS, "FROZEN_PINS")
    assert stacks.mismatches(pins, stacks.installed(python)) == []
    assert reference.frozen_python() == python


@pytest.mark.slow
def test_cpu_loop_gives_a_plausible_time():
    seconds = reference.run_cpu_loop(reference.frozen_python(), None)
    assert 1e-8 < seconds < 1e-4
