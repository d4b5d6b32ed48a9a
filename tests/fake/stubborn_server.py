"""An HTTP server that ignores SIGTERM, as some servers do (uwsgi reloads on it).

    python stubborn_server.py HOST PORT
"""

import signal
import sys
from http.server import HTTPServer

from contract_http import ContractHandler

if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    HTTPServer((sys.argv[1], int(sys.argv[2])), ContractHandler).serve_forever()
