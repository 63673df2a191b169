"""Errors raised by the harness: one base class, one subclass per kind of failure."""

from __future__ import annotations

__all__ = [
    "BuildStartError",
    "FaultInjectionUnsupportedError",
    "HarnessError",
    "InconclusiveError",
    "MissingBinariesError",
    "ProcessExitedError",
    "ReadinessTimeoutError",
    "ServiceUnavailableError",
    "WaitTimeoutError",
]


class HarnessError(Exception):
    """Base of every error the harness raises on purpose; its message is one readable line."""


class ServiceUnavailableError(HarnessError):
    """Redis or PostgreSQL cannot be provided in the chosen (or any) way."""


class MissingBinariesError(ServiceUnavailableError):
    """The server binaries for local services are not installed; ``missing`` names them."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


class FaultInjectionUnsupportedError(HarnessError):
    """The provider cannot stop, kill or restart a service (external services are not ours to kill)."""


class WaitTimeoutError(HarnessError):
    """A polled condition did not hold before its deadline."""


class ReadinessTimeoutError(WaitTimeoutError):
    """A managed process did not become ready in time."""


class ProcessExitedError(HarnessError):
    """A managed process exited while we waited for it to become ready."""


class InconclusiveError(HarnessError):
    """The harness could not observe what a criterion needs: the verdict is "inconclusive", never "failed"."""


class BuildStartError(HarnessError):
    """The build under test did not start (a process exited or never became ready): a finding."""
