"""bjoern serving one WSGI app, exiting 0 on SIGINT.

bjoern has no command line. Its libev loop stops on SIGINT and raises
KeyboardInterrupt, which would end Python by the signal (status -2); it is
caught here. SIGTERM would kill it without cleanup, hence SIGINT in the registry.
"""

import bjoern

from . import app_and_address


def main() -> None:
    app, host, port = app_and_address()
    try:
        bjoern.run(app, host, port)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
