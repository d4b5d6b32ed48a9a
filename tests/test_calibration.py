"""The calibration switch: read from a commit's checkout, applied to one framework."""

from __future__ import annotations

import pytest

from stackbench import calibration, registry
from stackbench.errors import ConfigError

STARLETTE = registry.find_pair("asgi", "uvicorn", "starlette")
RAW = registry.find_pair("asgi", "uvicorn", "raw")


def test_off_by_default_and_in_the_repository():
    assert calibration.load(None) == calibration.OFF
    from stackbench import ROOT

    assert not calibration.load(ROOT).on  # the committed switch is off


def test_written_switch_is_read_back_and_applies_to_its_framework_only(tmp_path):
    calibration.write(tmp_path, calibration.Calibration("starlette", "", 2500))
    switch = calibration.load(tmp_path)
    assert switch.on and switch.extra_iterations == 2500
    assert switch.environ_for(STARLETTE) == {calibration.ITERATIONS_VARIABLE: "2500"}
    assert switch.environ_for(RAW) == {}
    assert calibration.Calibration("starlette", "wsgi", 1).environ_for(STARLETTE) == {}


def test_the_work_is_a_fixed_number_of_iterations_whatever_the_clock():
    from apps.calibration import fixed_work

    # One flip an iteration: the result tells how many ran.
    assert [fixed_work(n) for n in (0, 1, 2, 3, 1001)] == [0, 1, 0, 1, 1]
    assert 0 < calibration.seconds_per_iteration(repeats=1, iterations=1000) < 1e-5


@pytest.mark.parametrize(
    ("text", "message"),
    [("framework = ", "not valid TOML"), ("speed = 3", r"unknown keys \['speed'\]"),
     ("extra_iterations = 'x'", "must be a whole number"), ("extra_iterations = 2.5", "must be a whole number"),
     ("extra_iterations = -1", "must be >= 0"),
     ("extra_cpu_microseconds = 8.0", "a spin for time.* is no longer read: give extra_iterations")],
)
def test_bad_switch_files_say_what_is_wrong(tmp_path, text, message):
    (tmp_path / calibration.FILE).write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        calibration.load(tmp_path)
