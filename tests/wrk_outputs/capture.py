"""Regenerate the captured wrk outputs in this folder from real wrk runs.

    python tests/wrk_outputs/capture.py PYTHON

PYTHON is an interpreter with uvicorn installed (a stack's environment). Each
output is what `wrk` 4.1 (Debian) printed, with stackbench's done() script
where the name says `lua`. The outputs are kept as captured; the tests parse
them and check the figures against what each scenario is known to produce.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LUA = HERE.parents[1] / "stackbench" / "wrk_done.lua"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(name: str, url: str, *args: str, lua: bool = True, max_files: int = 0) -> None:
    """Run wrk and keep its output as NAME.txt; max_files caps its open files."""
    argv = ["wrk", *args, "--latency", *(["--script", str(LUA)] if lua else []), url]
    limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (max_files, max_files))) if max_files else None
    out = subprocess.run(argv, capture_output=True, text=True, check=True, preexec_fn=limit).stdout
    (HERE / f"{name}.txt").write_text(out)
    print(f"--- {name}: {' '.join(argv)}\n{out}")


def resetting_server(port: int, stop: threading.Event) -> None:
    """Accept, read the request, then abort the connection with a RST."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            try:
                conn.recv(4096)
            except OSError:
                pass
            conn.close()


def main(python: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [python, "-m", "uvicorn", "capture_app:app", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        cwd=HERE, start_new_session=True,
    )
    try:
        time.sleep(2)
        wrk("ok_microseconds", f"{base}/", "-t1", "-c4", "-d1s")
        wrk("ok_milliseconds", f"{base}/", "-t1", "-c256", "-d2s")
        wrk("ok_text_only", f"{base}/", "-t1", "-c8", "-d1s", lua=False)
        wrk("non2xx", f"{base}/missing", "-t1", "-c8", "-d1s")
        wrk("latency_seconds", f"{base}/slow", "-t1", "-c2", "-d3s", "--timeout", "5s")
        # Answers arriving after --timeout count as timeout errors; a request
        # still pending when the run ends counts as nothing at all.
        wrk("timeouts", f"{base}/stall", "-t1", "-c2", "-d4s", "--timeout", "1s")
        wrk("stalled_no_answer", f"{base}/stall", "-t1", "-c2", "-d2s", "--timeout", "1s")
        wrk("kilobytes", f"{base}/kilo", "-t1", "-c1", "-d1s")
        wrk("gigabytes", f"{base}/big", "-t1", "-c4", "-d3s")
        # wrk may open only 40 files for 64 connections: socket() fails.
        wrk("connect_errors", f"{base}/", "-t1", "-c64", "-d1s", max_files=40)
        # The server dies a second into the run: wrk's reconnects are refused,
        # which a non-blocking connect reports as write errors.
        threading.Timer(1.0, os.killpg, (server.pid, signal.SIGKILL)).start()
        wrk("server_killed", f"{base}/", "-t1", "-c4", "-d2s")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGINT)
        server.wait(10)
    stop = threading.Event()
    rst_port = free_port()
    thread = threading.Thread(target=resetting_server, args=(rst_port, stop))
    thread.start()
    try:
        time.sleep(0.3)
        wrk("read_errors", f"http://127.0.0.1:{rst_port}/", "-t1", "-c4", "-d1s")
    finally:
        stop.set()
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1])
