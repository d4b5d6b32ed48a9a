"""Kill a server's process group if the process that started it dies first.

`server.serve` cleans up in `finally`, which covers exceptions, failed checks
and Ctrl-C, but not SIGKILL: asv kills a benchmark that overstays its timeout
one second after SIGTERM. The server runs in its own session, so asv's kill
does not reach it. This watchdog, started in a session of its own, holds the
read end of a pipe from the harness: it learns the group id, then blocks until
the pipe closes. A clean stop writes ``release`` first; any other ending (the
harness died, however) gets the group SIGKILL while its leader still exists.

Run as a script (``python watchdog.py``) with the standard library only, so it
works under whichever Python runs the harness.
"""

import os
import signal
import sys

RELEASE = b"release\n"


def main() -> None:
    line = sys.stdin.buffer.readline()
    if not line:  # the harness ended before starting a server
        return
    group = int(line)
    if sys.stdin.buffer.read() != RELEASE:
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass


if __name__ == "__main__":
    main()
