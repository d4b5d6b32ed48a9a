"""The calibration switch: read from a commit's checkout, applied to one framework."""

from __future__ import annotations

import pytest

from stackbench import calibration, registry
from stackbench.errors import ConfigError

STARLETTE = registry.find_pair("asgi", "uvicorn", "starlette")
RAW = registry.find_pair("asgi", "uvicorn", "raw")


def test_off_by_default_and_in_the_repository():
    assert calibration.load(None) == calibration.OFF
    from stackbench.stacks import ROOT

    assert not calibration.load(ROOT).on  # the committed switch is off


def test_written_switch_is_read_back_and_applies_to_its_framework_only(tmp_path):
    calibration.write(tmp_path, calibration.Calibration("starlette", "", 12.5))
    switch = calibration.load(tmp_path)
    assert switch.on and switch.extra_cpu_microseconds == 12.5
    assert switch.environ_for(STARLETTE) == {calibration.SPIN_VARIABLE: "12.5"}
    assert switch.environ_for(RAW) == {}
    assert calibration.Calibration("starlette", "wsgi", 1.0).environ_for(STARLETTE) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [("framework = ", "not valid TOML"), ("speed = 3", r"unknown keys \['speed'\]"),
     ("extra_cpu_microseconds = 'x'", "must be a number"), ("extra_cpu_microseconds = -1", "must be >= 0")],
)
def test_bad_switch_files_say_what_is_wrong(tmp_path, text, message):
    (tmp_path / calibration.FILE).write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        calibration.load(tmp_path)
