"""Profiles and environment variables, and the errors bad values give."""

from __future__ import annotations

import pytest

from stackbench.errors import ConfigError
from stackbench.settings import PROFILES, Settings, from_environ


def test_default_fits_a_two_core_machine():
    settings = from_environ({})
    assert settings == PROFILES["default"]
    assert (settings.connections, settings.duration, settings.repeats, settings.warmup) == (32, 3, 7, 2)


def test_profiles_change_sample_size_but_not_concurrency():
    assert {p.connections for p in PROFILES.values()} == {32}
    assert PROFILES["quick"].seconds_per_scenario < PROFILES["default"].seconds_per_scenario
    assert PROFILES["default"].seconds_per_scenario < PROFILES["full"].seconds_per_scenario


def test_variables_override_the_profile():
    settings = from_environ(
        {"STACKBENCH_PROFILE": "quick", "STACKBENCH_REPEATS": "5", "STACKBENCH_CONNECTIONS": "64"}
    )
    assert (settings.repeats, settings.connections, settings.duration) == (5, 64, 1)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STACKBENCH_PROFILE": "fast"}, "STACKBENCH_PROFILE='fast' is not a profile; choose one of quick, default, full"),
        ({"STACKBENCH_DURATION": "2.5"}, "STACKBENCH_DURATION='2.5' is not a whole number"),
        ({"STACKBENCH_REPEATS": "1"}, "STACKBENCH_REPEATS=1 is not a whole number >= 2"),
        ({"STACKBENCH_CONNECTIONS": "0"}, "STACKBENCH_CONNECTIONS=0 is not a whole number >= 1"),
        ({"STACKBENCH_WARMUP": "-1"}, "STACKBENCH_WARMUP=-1 is not a whole number >= 0"),
    ],
)
def test_bad_values_say_what_and_how_to_fix(environ, message):
    with pytest.raises(ConfigError) as caught:
        from_environ(environ)
    assert str(caught.value).startswith(message)


def test_longest_silence_outlasts_every_single_step():
    settings = Settings(duration=10, warmup=5)
    assert settings.longest_silence > settings.startup_timeout + settings.stop_grace + 10 + settings.request_timeout
