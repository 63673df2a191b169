"""A faithful, stateful fake of the Logikal MBIOE REST API v3 with a control plane (see README.md)."""

from .api import API_BASE_PATH
from .app import FakeApp, create_app
from .client import AsyncFakeLogikalClient, FakeControlError, FakeLogikalClient
from .clock import FakeClock
from .config import FakeConfig
from .dataset import Dataset
from .faults import Effect
from .generate import DOS22309_ID
from .names import ZERO_GUID
from .testing import run_in_thread
from .truth_types import ContentTruth, ElevationContentTruth

__all__ = [
    "API_BASE_PATH",
    "DOS22309_ID",
    "ZERO_GUID",
    "AsyncFakeLogikalClient",
    "ContentTruth",
    "Dataset",
    "Effect",
    "ElevationContentTruth",
    "FakeApp",
    "FakeClock",
    "FakeConfig",
    "FakeControlError",
    "FakeLogikalClient",
    "create_app",
    "run_in_thread",
]
