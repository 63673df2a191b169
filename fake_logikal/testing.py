"""`run_in_thread`: the fake served by uvicorn on a free loopback port in a background thread, for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from .app import FakeApp, create_app, quiet_fault_noise
from .config import FakeConfig

__all__ = ["run_in_thread"]


@contextmanager
def run_in_thread(
    config: FakeConfig | FakeApp | None = None, *, start_timeout_s: float = 10.0
) -> Iterator[str]:
    """Serve a fake (a config, or an app you keep a handle on) and yield its root URL, e.g. http://127.0.0.1:PORT.

    The API is at `<url>/MbioeService.svc/api/v3/`, the control plane at `<url>/_fake/`.
    """
    app = config if isinstance(config, FakeApp) else create_app(config)
    quiet_fault_noise()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, loop="auto", http="auto", lifespan="on", log_level="warning", access_log=False)
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"fake-logikal-{port}", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + start_timeout_s
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"fake_logikal did not start on port {port} within {start_timeout_s} s")
            time.sleep(0.005)  # poll the start flag; there is no event to wait on
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=3)
        if thread.is_alive():  # a request still in flight (e.g. a hang fault): stop without waiting for it
            server.force_exit = True
            thread.join(timeout=10)
        sock.close()
