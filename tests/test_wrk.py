"""wrk output parsing, against outputs captured from real wrk runs.

The expected figures below are read off the captured files (wrk_outputs/),
which capture.py regenerates; regenerating them means updating these.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from stackbench.measure.wrk import (
    ResponseCheck,
    WrkParseError,
    parse,
    parse_bytes,
    parse_check,
    parse_exact,
    parse_metric,
    parse_text,
    parse_time,
)

CAPTURED = Path(__file__).parent / "wrk_outputs"
CLEAN = ["ok_microseconds", "ok_milliseconds", "ok_text_only", "latency_seconds", "kilobytes", "gigabytes"]
DIRTY = ["non2xx", "connect_errors", "read_errors", "server_killed", "timeouts", "stalled_no_answer"]
KiB = 1024


def captured(name: str) -> str:
    return (CAPTURED / f"{name}.txt").read_text()


def test_every_capture_is_covered():
    assert sorted(CLEAN + DIRTY) == sorted(p.stem for p in CAPTURED.glob("*.txt"))


@pytest.mark.parametrize("name", CLEAN)
def test_clean_runs_have_no_problems(name):
    result = parse(captured(name))
    assert result.problems() == []
    assert result.errors == 0
    assert result.requests > 0
    assert result.requests_per_second == pytest.approx(result.requests / result.duration, rel=0.01)
    latency = result.latency
    assert 0 < latency.p50 <= latency.p75 <= latency.p90 <= latency.p99 <= latency.max


@pytest.mark.parametrize("name", [n for n in CLEAN + DIRTY if n != "ok_text_only"])
def test_exact_line_and_summary_agree(name):
    output = captured(name)
    exact, text = parse_exact(output), parse_text(output)
    assert exact is not None and exact.exact and not text.exact
    assert repr(parse(output)) == repr(exact)  # repr: NaN never equals NaN
    assert (text.requests, text.socket_errors, text.non_2xx_3xx) == (
        exact.requests,
        exact.socket_errors,
        exact.non_2xx_3xx,
    )
    assert text.requests_per_second == pytest.approx(exact.requests_per_second, abs=0.005)
    # The summary rounds to two decimals of its unit: within 1%.
    for field in ("mean", "max", "p50", "p75", "p90", "p99"):
        assert getattr(text.latency, field) == pytest.approx(getattr(exact.latency, field), rel=0.01)
    assert text.bytes_read == pytest.approx(exact.bytes_read, rel=0.01)
    assert text.thread_rate.mean == pytest.approx(exact.thread_rate.mean, rel=0.01, abs=0.005)
    # Without latency samples, both say NaN.
    assert text.latency.within_stdev == pytest.approx(exact.latency.within_stdev, abs=0.005, nan_ok=True)


def test_summary_in_microseconds_and_thousands():
    result = parse_text(captured("ok_microseconds"))
    assert result.requests == 36452
    assert result.duration == pytest.approx(1.00)
    assert result.bytes_read == round(4.59 * KiB * KiB)
    assert result.requests_per_second == 36406.35
    assert result.transfer_per_second == pytest.approx(4.58 * KiB * KiB)
    latency = result.latency
    assert (latency.mean, latency.stdev, latency.max) == pytest.approx((125.28e-6, 243.07e-6, 5.45e-3))
    assert latency.within_stdev == pytest.approx(99.05)
    assert (latency.p50, latency.p99) == pytest.approx((81e-6, 339e-6))
    rate = result.thread_rate
    assert (rate.mean, rate.stdev, rate.max, rate.within_stdev) == pytest.approx(
        (36.74e3, 6.58e3, 40.82e3, 80.0)
    )


def test_summary_in_milliseconds():
    latency = parse_text(captured("ok_milliseconds")).latency
    assert (latency.mean, latency.stdev, latency.max) == pytest.approx((8.67e-3, 2.04e-3, 24.86e-3))
    assert (latency.p50, latency.p99) == pytest.approx((8.24e-3, 18.73e-3))


def test_summary_in_seconds_and_bytes():
    result = parse_text(captured("latency_seconds"))
    assert (result.latency.mean, result.latency.p50) == pytest.approx((1.20, 1.20))
    assert result.latency.stdev == pytest.approx(179.51e-6)
    assert result.bytes_read == 528
    assert result.transfer_per_second == pytest.approx(175.60)
    assert result.thread_rate.mean == pytest.approx(1.00)


def test_summary_in_kilobytes():
    result = parse_text(captured("kilobytes"))
    assert result.bytes_read == round(10.06 * KiB)
    assert result.transfer_per_second == pytest.approx(10.05 * KiB)
    assert result.latency.stdev == pytest.approx(486.10e-6)
    assert result.latency.p50 == pytest.approx(100.79e-3)


def test_summary_in_gigabytes():
    result = parse_text(captured("gigabytes"))
    assert result.bytes_read == round(10.43 * KiB**3)
    assert result.transfer_per_second == pytest.approx(3.46 * KiB**3)
    # "0.89k ... 218.77 ... 1.16k": wrk switches unit from 850 on.
    rate = result.thread_rate
    assert (rate.mean, rate.stdev, rate.max) == pytest.approx((890.0, 218.77, 1160.0))


def test_non_2xx_responses_are_a_problem():
    result = parse(captured("non2xx"))
    assert result.non_2xx_3xx == result.requests == 47625
    assert result.socket_errors.total == 0
    assert result.problems() == ["47625 responses with status >= 400"]


@pytest.mark.parametrize(
    ("name", "connect", "read", "write", "timeout"),
    [
        ("connect_errors", 28, 0, 0, 0),
        ("read_errors", 0, 31793, 0, 0),
        ("server_killed", 0, 4, 64565, 0),
        ("timeouts", 0, 0, 0, 2),
    ],
)
def test_socket_errors_are_a_problem(name, connect, read, write, timeout):
    result = parse(captured(name))
    errors = result.socket_errors
    assert (errors.connect, errors.read, errors.write, errors.timeout) == (connect, read, write, timeout)
    assert result.errors == connect + read + write + timeout
    assert result.problems()[0] == (
        f"socket errors: connect {connect}, read {read}, write {write}, timeout {timeout}"
    )


def test_no_completed_request_is_a_problem_even_without_errors():
    # wrk counts a request still pending at the end as nothing at all.
    output = captured("stalled_no_answer")
    result = parse(output)
    assert result.errors == 0
    assert result.problems() == ["no request completed"]
    # With no samples wrk prints "-nan%"; it must not break the parser.
    assert "-nan%" in output
    assert math.isnan(parse_text(output).latency.within_stdev)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("697.29us", 697.29e-6), ("7.88ms", 7.88e-3), ("1.20s", 1.2), ("1.00m", 60.0), ("0.00us", 0.0)],
)
def test_time_units(text, seconds):
    # wrk prints minutes from 51 s on (src/units.c); no run here waits that long.
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "count"), [("1.00", 1.0), ("46.35k", 46350.0), ("1.20M", 1.2e6), ("0.94k", 940.0)]
)
def test_count_units(text, count):
    # "M" needs 850,000 requests/s in one thread: beyond this machine.
    assert parse_metric(text) == pytest.approx(count)


@pytest.mark.parametrize(
    ("text", "size"),
    [("528.00B", 528), ("10.06KB", 10.06 * KiB), ("12.92MB", 12.92 * KiB**2), ("8.12GB", 8.12 * KiB**3)],
)
def test_size_units(text, size):
    assert parse_bytes(text) == pytest.approx(size)


@pytest.mark.parametrize("text", ["12.5", "3.0xs", "fast", ""])
def test_bad_units_are_errors(text):
    with pytest.raises(WrkParseError):
        parse_time(text)


def test_an_unrecognised_output_is_an_error_not_a_zero():
    with pytest.raises(WrkParseError, match="Latency"):
        parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_output_without_latency_distribution_is_an_error():
    output = "\n".join(line for line in captured("ok_text_only").splitlines() if "%" not in line or "Latency" in line)
    with pytest.raises(WrkParseError):
        parse(output)


def test_summary_and_exact_line_must_agree():
    output = captured("ok_microseconds")
    tampered = output.replace("requests=36452", "requests=36000")
    with pytest.raises(WrkParseError, match="disagree on requests"):
        parse(tampered)


def test_the_check_lines_give_each_connection_its_path_and_counts():
    output = (
        "Running 1s test @ http://127.0.0.1:8000/\n"
        "stackbench-check path=2f checked=9000 mismatches=0 example=\n"
        f"stackbench-check path={b'/json'.hex()} checked=8000 mismatches=2 example={b'200 {}'.hex()}\n"
    )
    assert parse_check(output) == [("/", ResponseCheck(9000, 0, b"")), ("/json", ResponseCheck(8000, 2, b"200 {}"))]


def test_output_without_check_lines_is_an_error():
    with pytest.raises(WrkParseError, match="no stackbench-check line"):
        parse_check("Running 1s test @ http://127.0.0.1:8000/\n")
