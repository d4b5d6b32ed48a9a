"""A fixed CPU-bound Python loop, timed: one candidate reference of machine speed.

`python cpu_loop.py` prints the median seconds per iteration of a loop doing
what a web framework does per request in miniature (string formatting, dict
updates and lookups, splitting bytes, small function calls), over a few
timed repeats of about 0.15 s each. Standard library only; it is run with
the frozen reference environment's Python, pinned to the server's CPU.
"""

import statistics
import time

ITERATIONS = 100_000
REPEATS = 5


def handle(headers: dict, i: int) -> bytes:
    key = "x-header-%d" % (i & 31)
    headers[key] = str(i)
    line = " ".join(("GET", "/items/%d" % i, "HTTP/1.1")).encode()
    method, path, _ = line.split(b" ")
    return b"%s %s %d" % (method, path, len(headers.get("x-header-3", "")))


def loop(n: int) -> int:
    headers: dict = {}
    total = 0
    for i in range(n):
        total += len(handle(headers, i))
    return total


def main() -> None:
    loop(ITERATIONS // 10)  # warm caches
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        loop(ITERATIONS)
        times.append((time.perf_counter() - started) / ITERATIONS)
    print(f"{statistics.median(times):.9e}")


if __name__ == "__main__":
    main()
