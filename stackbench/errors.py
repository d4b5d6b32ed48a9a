"""Errors a user can act on. Each message says what went wrong and what to do."""

from __future__ import annotations


class StackbenchError(Exception):
    """Base class: the tools print these as ``ERROR: <message>`` and exit 1."""


class ConfigError(StackbenchError):
    """Bad input: a setting, a name, a missing program or file."""


class ServerError(StackbenchError):
    """A server would not start, would not answer, or its port was taken."""


class ContractError(StackbenchError):
    """An app answered, but not with the response every app must give."""


class LoadError(StackbenchError):
    """wrk failed, or saw errors: no figure from that run may be recorded."""


class ResponseError(LoadError):
    """Under load, some responses differed from the one the contract check accepted."""


class ClientBound(StackbenchError):
    """wrk, not the server, was the bottleneck: the figure is the load generator's."""


class Interrupted(BaseException):
    """The run was asked to stop (SIGTERM, as asv sends on its timeout).

    A BaseException, like KeyboardInterrupt, so that code recording one
    pair's failure and moving on does not swallow it.
    """


class PairFailed(StackbenchError):
    """Raised in asv for a pair whose measurement failed; the message says why."""
