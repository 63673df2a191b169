"""The locustfile of every load run: user classes and the shape built from $LOAD_RUN_CONFIG.

Only locust imports this file (``locust -f load/locustfile.py``), in its own process: importing locust
monkey-patches the interpreter with gevent.
"""

import os
from pathlib import Path

from load.locust_hooks import ProfileShape, RequestRecorder
from load.run_config import CONFIG_ENV, RunConfig
from load.users import configure_users

_config = RunConfig.read(Path(os.environ[CONFIG_ENV]))
RequestRecorder(Path(_config.samples_dir)).install()
globals().update({user.__name__: user for user in configure_users(_config)})
RunShape = ProfileShape.for_run(_config)
