"""Per-process isolation for builds that write to hard-coded paths: a private mount namespace (root only).

The command runs under ``unshare --mount`` with a private tmpfs on ``/tmp`` and the declared binds
(``SOURCE:TARGET``), so two Stacks of such a build never see each other's files.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Sequence

from harness.errors import HarnessError

__all__ = ["isolated_command"]


def isolated_command(command: Sequence[str], binds: Sequence[str] = ()) -> list[str]:
    """``command`` wrapped so that it runs in its own mount namespace with a private /tmp and ``binds``."""
    if os.geteuid() != 0:
        raise HarnessError("process isolation (process.isolate = true) needs root for its mount namespace")
    unshare = shutil.which("unshare")
    if unshare is None:
        raise HarnessError("process isolation needs `unshare` (Debian package util-linux)")
    mounts = []
    for bind in binds:
        source, _, target = bind.partition(":")
        if not source or not target:
            raise HarnessError(f"process.binds entry {bind!r} must be SOURCE:TARGET")
        mounts.append(
            f"mkdir -p {shlex.quote(target)} && mount --bind {shlex.quote(source)} {shlex.quote(target)}"
        )
    # Binds first: a source under /tmp must still be visible when it is bound, before /tmp is replaced.
    mounts.append("mount -t tmpfs -o mode=1777 tmpfs /tmp")
    script = " && ".join([*mounts, 'exec "$@"'])
    return [
        unshare,
        "--mount",
        "--propagation",
        "private",
        "--fork",
        "sh",
        "-c",
        script,
        "isolated",
        *command,
    ]
