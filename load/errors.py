"""The load package's errors: one base, so the CLI tells a harness problem from a failed threshold."""

from __future__ import annotations

__all__ = ["LoadError", "ProfileError", "ThresholdSyntaxError"]


class LoadError(Exception):
    """A load run could not be prepared or carried out (never a verdict on the system under test)."""


class ProfileError(LoadError):
    """A profile file is missing or invalid."""


class ThresholdSyntaxError(ProfileError):
    """A threshold expression could not be parsed."""
