"""What every tools/ command shares: one place where a user error becomes
``ERROR: <message>`` on stderr and exit status 1, as in pyperf's CLI."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .errors import StackbenchError


def run(main: Callable[[], int | None]) -> None:
    try:
        status = main()
    except StackbenchError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(status or 0)
