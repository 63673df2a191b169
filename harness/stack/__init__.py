"""The Stack: SUT profile, topology, time warp and the running system of one run."""

from harness.stack.config import StackConfig
from harness.stack.stack import Stack

__all__ = ["Stack", "StackConfig"]
