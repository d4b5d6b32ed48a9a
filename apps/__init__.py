"""One hello-world app per framework, all answering the same contract.

``GET /`` answers 200, ``text/plain``, ``Hello, World!``; ``GET /json`` answers
200, ``application/json``, ``{"message": "Hello, World!"}`` (see
``stackbench/serve/contract.py``, which checks it before any load). Each module is
``<framework>_<interface>.py`` and exposes ``app``; each runs unchanged on
every stack in ``stacks/``.
"""
