"""Our middleware under the external warp keeps its broker connections: kombu checks them on the worker's own
clock, which libfaketime runs at the Stack's speed, so the profile scales their interval
(``CELERY_BROKER_HEALTH_CHECK_INTERVAL`` in ``[clock.scaled_settings]``, harness/profiles/default.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.runtime.polling import wait_for
from harness.runtime.services import ServiceProvider
from harness.stack import Stack, StackConfig
from harness.stack.profile import load_profile
from harness.stack.warp import WarpMode

FOREIGN = Path(__file__).resolve().parents[3] / "examples" / "sut-profiles" / "ours-external-warp.toml"
# Unscaled, kombu dropped the idle worker's BRPOP connection every ~50 warped seconds: 8 times in this window.
VIRTUAL_SECONDS = 1000.0

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.timeout(180)
def test_an_idle_worker_under_the_external_warp_never_drops_its_broker_connection(
    service_provider: ServiceProvider, tmp_path: Path
) -> None:
    config = StackConfig(profile=load_profile(str(FOREIGN)), clock_speed=100.0, run_dir=tmp_path)
    with Stack(config, provider=service_provider) as stack:
        assert stack.warp == WarpMode.EXTERNAL, "the profile must warp from outside"
        start = stack.clock.now()
        wait_for(
            lambda: stack.clock.now() - start >= VIRTUAL_SECONDS,
            timeout=stack.clock.real_seconds(VIRTUAL_SECONDS) + 30,
            description=f"{VIRTUAL_SECONDS:g} virtual seconds",
        )
        logs = {name: process.log_text() for name, process in stack.processes.items()}
    dropped = {name: text.count("dropping stale connection") for name, text in logs.items()}
    assert not any(dropped.values()), dropped
    # the worker was there to drop it: its consumer was listening all along
    assert any("Connected to redis" in text and " ready." in text for text in logs.values()), list(logs)
