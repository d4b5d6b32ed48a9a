"""Profiles and environment variables, and the errors bad values give."""

from __future__ import annotations

import pytest

from stackbench.errors import ConfigError
from stackbench.settings import PROFILES, Settings, from_environ


def test_default_profile_is_the_default():
    assert from_environ({}) == PROFILES["default"]


def test_profiles_change_sample_size_but_not_concurrency():
    # 1 connection (latency without queueing) and a level that saturates one worker.
    assert {p.connections for p in PROFILES.values()} == {(1, 32)}
    assert PROFILES["default"].loaded == 32
    def load(p: Settings) -> int:
        return p.launches * p.rounds * p.seconds_per_launch
    assert load(PROFILES["quick"]) < load(PROFILES["default"]) < load(PROFILES["full"])
    # A sample is a launch: every profile but the smoke one gives asv several per commit.
    assert PROFILES["default"].launches * PROFILES["default"].rounds >= 6


def test_variables_override_the_profile():
    settings = from_environ(
        {"STACKBENCH_PROFILE": "quick", "STACKBENCH_LAUNCHES": "5", "STACKBENCH_CONNECTIONS": "4,64",
         "STACKBENCH_ROUNDS": "3"}
    )
    assert (settings.launches, settings.connections, settings.rounds, settings.duration) == (5, (4, 64), 3, 1)
    assert from_environ({"STACKBENCH_CONNECTIONS": "32"}).connections == (32,)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"STACKBENCH_PROFILE": "fast"}, "STACKBENCH_PROFILE='fast' is not a profile; choose one of quick, default, full"),
        ({"STACKBENCH_DURATION": "2.5"}, "STACKBENCH_DURATION='2.5' is not a whole number"),
        ({"STACKBENCH_LAUNCHES": "0"}, "STACKBENCH_LAUNCHES=0 is not a whole number >= 1"),
        ({"STACKBENCH_CONNECTIONS": "0"}, "STACKBENCH_CONNECTIONS=0 is not a list of whole numbers >= 1"),
        ({"STACKBENCH_CONNECTIONS": "32,1"}, "STACKBENCH_CONNECTIONS=32,1 is not a list of whole numbers >= 1, lowest"),
        ({"STACKBENCH_CONNECTIONS": "1,x"}, "STACKBENCH_CONNECTIONS='1,x' is not a whole number; unset it or give e.g. 1,32"),
        ({"STACKBENCH_WARMUP": "-1"}, "STACKBENCH_WARMUP=-1 is not a whole number >= 0"),
        ({"STACKBENCH_REPEATS": "7"}, "STACKBENCH_REPEATS is no longer read: a sample is now one server launch"),
    ],
)
def test_bad_values_say_what_and_how_to_fix(environ, message):
    with pytest.raises(ConfigError) as caught:
        from_environ(environ)
    assert str(caught.value).startswith(message)


def test_longest_silence_outlasts_every_single_step():
    settings = Settings(duration=10, warmup=5)
    assert settings.longest_silence > settings.startup_timeout + settings.stop_grace + 10 + settings.request_timeout
