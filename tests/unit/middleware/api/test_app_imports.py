"""The web process stays small: importing the app factory loads neither Celery nor any task module."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_app_factory_loads_no_celery_and_no_task_modules() -> None:
    code = (
        "import sys, middleware.api.app\n"
        "prefixes = ('celery.', 'middleware.worker.')\n"
        "loaded = sorted(m for m in sys.modules if m == 'celery' or m.startswith(prefixes))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "middleware.worker.names"
