"""Parse what wrk prints: its text summary and the exact line of wrk_done.lua.

wrk 4.1's summary rounds every figure and uses units (us/ms/s/m for time,
k/M/G/T for counts, B/KB/MB/GB/TB for bytes; see wrk's src/units.c). The
done() hook in `wrk_done.lua` prints the same figures exactly. `parse` reads
both: the exact line supplies the numbers and the text is cross-checked
against it, so a drift in either format is an error, not a silent zero.

All times are returned in seconds and all sizes in bytes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

LUA_MARKER = "stackbench-wrk"
CHECK_MARKER = "stackbench-check"

_TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_METRIC_UNITS = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}
_BINARY_UNITS = {p: 1024.0**i for i, p in enumerate(("", "K", "M", "G", "T", "P"))}

# wrk prints "nan"/"-nan" where a statistic has no samples.
_NUMBER = r"-?(?:\d+(?:\.\d+)?|nan|inf)"


class WrkParseError(ValueError):
    """wrk's output was not in the form this parser knows."""


@dataclass(frozen=True)
class Latency:
    """Per-request latency in seconds (all zero when no request completed)."""

    mean: float
    stdev: float
    max: float
    # Percent of requests within one stdev of the mean (NaN without samples).
    within_stdev: float
    p50: float
    p75: float
    p90: float
    p99: float


@dataclass(frozen=True)
class ThreadRate:
    """Requests per second of one wrk thread, sampled every 100 ms ("Req/Sec")."""

    mean: float
    stdev: float
    max: float
    within_stdev: float


@dataclass(frozen=True)
class SocketErrors:
    connect: int = 0
    read: int = 0
    write: int = 0
    timeout: int = 0

    @property
    def total(self) -> int:
        return self.connect + self.read + self.write + self.timeout


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration: float  # seconds wrk actually ran
    bytes_read: int
    requests_per_second: float
    transfer_per_second: float  # bytes
    latency: Latency
    thread_rate: ThreadRate
    socket_errors: SocketErrors
    # Responses with status >= 400, which wrk reports as "Non-2xx or 3xx".
    non_2xx_3xx: int
    # True when the figures come from the done() hook, not the rounded summary.
    exact: bool

    @property
    def errors(self) -> int:
        return self.socket_errors.total + self.non_2xx_3xx

    def problems(self) -> list[str]:
        """Why these figures may not be recorded (empty: they may)."""
        found = []
        if self.socket_errors.total:
            e = self.socket_errors
            found.append(
                f"socket errors: connect {e.connect}, read {e.read}, "
                f"write {e.write}, timeout {e.timeout}"
            )
        if self.non_2xx_3xx:
            found.append(f"{self.non_2xx_3xx} responses with status >= 400")
        if self.requests == 0:
            found.append("no request completed")
        return found


def _scaled(value: str, unit: str, units: dict[str, float], kind: str) -> float:
    if unit not in units:
        raise WrkParseError(f"unknown {kind} unit {unit!r} in {value + unit!r}")
    return float(value) * units[unit]


def parse_time(text: str) -> float:
    """``'697.29us'`` -> 0.00069729 (seconds)."""
    match = re.fullmatch(rf"({_NUMBER})([a-z]*)", text.strip())
    if not match:
        raise WrkParseError(f"not a wrk time: {text!r}")
    return _scaled(match[1], match[2], _TIME_UNITS, "time")


def parse_metric(text: str) -> float:
    """``'46.35k'`` -> 46350.0."""
    match = re.fullmatch(rf"({_NUMBER})([kMGTP]?)", text.strip())
    if not match:
        raise WrkParseError(f"not a wrk count: {text!r}")
    return _scaled(match[1], match[2], _METRIC_UNITS, "count")


def parse_bytes(text: str) -> float:
    """``'12.92MB'`` -> 13547601.92 (wrk's KB/MB/GB are powers of 1024)."""
    match = re.fullmatch(rf"({_NUMBER})([KMGTP]?)B", text.strip())
    if not match:
        raise WrkParseError(f"not a wrk size: {text!r}")
    return _scaled(match[1], match[2], _BINARY_UNITS, "size")


def _search(pattern: str, output: str, what: str) -> re.Match[str]:
    match = re.search(pattern, output, re.MULTILINE)
    if not match:
        raise WrkParseError(f"wrk output has no {what} line:\n{output}")
    return match


def parse_text(output: str) -> WrkResult:
    """The rounded figures of wrk's human summary (run with ``--latency``)."""
    stats = _search(
        rf"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+({_NUMBER})%$", output, "Latency statistics"
    )
    rate = _search(
        rf"^\s+Req/Sec\s+(\S+)\s+(\S+)\s+(\S+)\s+({_NUMBER})%$", output, "Req/Sec statistics"
    )
    percentiles = {
        int(p): parse_time(value)
        for p, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE)
    }
    if sorted(percentiles) != [50, 75, 90, 99]:
        raise WrkParseError(f"wrk output lacks the --latency distribution:\n{output}")
    totals = _search(r"^\s+(\d+) requests in (\S+), (\S+) read$", output, "requests")
    socket = re.search(
        r"^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)$",
        output,
        re.MULTILINE,
    )
    non_2xx = re.search(r"^\s+Non-2xx or 3xx responses: (\d+)$", output, re.MULTILINE)
    per_second = _search(rf"^Requests/sec:\s+({_NUMBER})$", output, "Requests/sec")
    transfer = _search(r"^Transfer/sec:\s+(\S+)$", output, "Transfer/sec")
    return WrkResult(
        requests=int(totals[1]),
        duration=parse_time(totals[2]),
        bytes_read=round(parse_bytes(totals[3])),
        requests_per_second=float(per_second[1]),
        transfer_per_second=parse_bytes(transfer[1]),
        latency=Latency(
            mean=parse_time(stats[1]),
            stdev=parse_time(stats[2]),
            max=parse_time(stats[3]),
            within_stdev=float(stats[4]),
            p50=percentiles[50],
            p75=percentiles[75],
            p90=percentiles[90],
            p99=percentiles[99],
        ),
        thread_rate=ThreadRate(
            mean=parse_metric(rate[1]),
            stdev=parse_metric(rate[2]),
            max=parse_metric(rate[3]),
            within_stdev=float(rate[4]),
        ),
        socket_errors=SocketErrors(*(int(n) for n in socket.groups())) if socket else SocketErrors(),
        non_2xx_3xx=int(non_2xx[1]) if non_2xx else 0,
        exact=False,
    )


def parse_exact(output: str) -> WrkResult | None:
    """The exact figures printed by `wrk_done.lua`, or None if it did not run."""
    line = re.search(rf"^{LUA_MARKER} (.*)$", output, re.MULTILINE)
    if not line:
        return None
    values: dict[str, float] = {}
    for item in line[1].split():
        key, _, value = item.partition("=")
        values[key] = float(value)
    try:
        duration = values["duration_us"] / 1e6
        requests = int(values["requests"])
        us = 1e-6
        return WrkResult(
            requests=requests,
            duration=duration,
            bytes_read=int(values["bytes"]),
            requests_per_second=requests / duration,
            transfer_per_second=values["bytes"] / duration,
            latency=Latency(
                mean=values["latency_mean_us"] * us,
                stdev=values["latency_stdev_us"] * us,
                max=values["latency_max_us"] * us,
                within_stdev=values["latency_within_stdev"],
                p50=values["latency_p50_us"] * us,
                p75=values["latency_p75_us"] * us,
                p90=values["latency_p90_us"] * us,
                p99=values["latency_p99_us"] * us,
            ),
            thread_rate=ThreadRate(
                mean=values["rate_mean"],
                stdev=values["rate_stdev"],
                max=values["rate_max"],
                within_stdev=values["rate_within_stdev"],
            ),
            socket_errors=SocketErrors(
                connect=int(values["connect_errors"]),
                read=int(values["read_errors"]),
                write=int(values["write_errors"]),
                timeout=int(values["timeout_errors"]),
            ),
            non_2xx_3xx=int(values["status_errors"]),
            exact=True,
        )
    except KeyError as missing:
        raise WrkParseError(f"{LUA_MARKER} line lacks {missing}: {line[0]}") from None


def _agree(rounded: float, exact: float, decimals_in: float) -> bool:
    """Whether a figure wrk printed rounded matches the exact one.

    wrk prints two decimals in a unit chosen so the number is at least 0.85,
    so a rounded figure is within 1% of the exact one, or within half a unit
    of its last decimal (`decimals_in`) for counts.
    """
    if math.isnan(rounded) or math.isnan(exact):
        return math.isnan(rounded) == math.isnan(exact)
    return math.isclose(rounded, exact, rel_tol=0.01, abs_tol=decimals_in)


def parse(output: str) -> WrkResult:
    """The figures of one wrk run: exact when the done() hook ran, else the text's."""
    text = parse_text(output)
    exact = parse_exact(output)
    if exact is None:
        return text
    checks = (
        ("requests", text.requests, exact.requests, 0),
        ("non-2xx/3xx responses", text.non_2xx_3xx, exact.non_2xx_3xx, 0),
        ("socket errors", text.socket_errors.total, exact.socket_errors.total, 0),
        ("requests/sec", text.requests_per_second, exact.requests_per_second, 0.005),
        ("latency p50", text.latency.p50, exact.latency.p50, 0.005e-6),
        ("latency p99", text.latency.p99, exact.latency.p99, 0.005e-6),
    )
    mismatches = [name for name, rounded, precise, tol in checks if not _agree(rounded, precise, tol)]
    if mismatches:
        raise WrkParseError(
            f"wrk's summary and its {LUA_MARKER} line disagree on "
            f"{', '.join(mismatches)}:\n{output}"
        )
    return exact


@dataclass(frozen=True)
class ResponseCheck:
    """What wrk_check.lua saw: responses compared, how many differed, the first that did."""

    checked: int
    mismatches: int
    example: bytes  # "<status> <body>" of the first mismatch, empty if none


def parse_check(output: str) -> list[tuple[str, ResponseCheck]]:
    """Each wrk thread's path and `ResponseCheck`, from wrk_check.lua's lines (one per thread)."""
    lines = re.findall(rf"^{CHECK_MARKER} path=([0-9a-f]*) checked=(\d+) mismatches=(\d+) example=([0-9a-f]*)$",
                       output, re.MULTILINE)
    if not lines:
        raise WrkParseError(f"wrk output has no {CHECK_MARKER} line (was wrk_check.lua used?):\n{output}")
    return [(bytes.fromhex(path).decode(), ResponseCheck(int(checked), int(wrong), bytes.fromhex(example)))
            for path, checked, wrong, example in lines]
