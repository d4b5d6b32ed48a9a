"""gunicorn with uvicorn's worker class, from wherever the installed releases keep it.

    python -m stackbench.serve.launchers.gunicorn_uvicorn TARGET HOST PORT

uvicorn kept its gunicorn worker in ``uvicorn.workers`` until the class moved
to the uvicorn-worker package (uvicorn 0.30, 2024); ``uvicorn.workers`` is
deprecated since. The uvicorn-worker release of older stacks (0.1.0) is an
empty placeholder: gunicorn cannot load a worker from it. So this takes the
class from uvicorn-worker when it has one, else from ``uvicorn.workers``,
then replaces itself with gunicorn (``os.execv``): the server is gunicorn's
own process, stopped by its own signal handling.
"""

from __future__ import annotations

import importlib
import os
import sys

from stackbench.serve.launchers import target_and_address

WORKER_CLASSES = ("uvicorn_worker.UvicornWorker", "uvicorn.workers.UvicornWorker")


def worker_class() -> str:
    """The first of WORKER_CLASSES that the environment has."""
    for path in WORKER_CLASSES:
        module, _, name = path.rpartition(".")
        try:
            if hasattr(importlib.import_module(module), name):
                return path
        except ImportError:
            continue
    raise SystemExit(f"no uvicorn worker class for gunicorn here (tried {', '.join(WORKER_CLASSES)})")


def main() -> None:
    target, host, port = target_and_address()
    argv = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", worker_class(),
            "--bind", f"{host}:{port}", "--log-level", "warning", target]
    os.execv(sys.executable, argv)


if __name__ == "__main__":
    main()
