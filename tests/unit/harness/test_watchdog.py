"""When the harness process is SIGKILLed, the watchdog still kills what it started and removes its files."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from harness.runtime.polling import wait_for

# A harness stand-in: starts a managed process tree and a watched directory, reports them, then hangs.
HARNESS = """
import json, sys, time
from pathlib import Path
from harness.runtime.probes import LogLineProbe
from harness.runtime.process import ManagedProcess
from harness.runtime.watchdog import watch_path

scratch = Path(sys.argv[1]) / "scratch"
scratch.mkdir()
watch_path(scratch)
code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(99)'])"
code += "; print('up', flush=True); time.sleep(99)"
process = ManagedProcess([sys.executable, "-c", code], name="victim", log_path=scratch / "victim.log")
process.start()
process.wait_ready(LogLineProbe("up"), timeout=20)
import psutil
leader = psutil.Process(process.pid)
pids = [leader.pid, *(child.pid for child in leader.children(recursive=True))]
print(json.dumps({"pids": pids, "dir": str(scratch)}), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_sigkilled_harness_leaves_no_process_and_no_directory(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(tmp_path)], stdout=subprocess.PIPE, text=True
    ) as harness:
        assert harness.stdout is not None
        try:
            record = json.loads(harness.stdout.readline())
        finally:
            harness.send_signal(signal.SIGKILL)
            harness.wait()
    pids: list[int] = record["pids"]
    assert len(pids) == 2
    wait_for(
        lambda: not [pid for pid in pids if _alive(pid)],
        timeout=10,
        description=f"the watchdog to kill {pids}",
    )
    wait_for(
        lambda: not Path(record["dir"]).exists(),
        timeout=10,
        description="the watchdog to remove the scratch directory",
    )
