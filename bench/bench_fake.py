"""fake_logikal figures: requests/s of GET /projects and GET /elevations (no latency) and start-up times.

One fake process is started with `python -m fake_logikal`; load comes from separate worker processes, each a
keep-alive HTTP/1.1 loop over a raw socket (cheap on the client side, so the server is what is measured).
Prints figures; it is not a timed test.  Usage: python bench/bench_fake.py [--duration S] [--workers N ...]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import socket
import statistics
import subprocess
import sys
import time

API = "/MbioeService.svc/api/v3"
DOS22309 = "5ddb1393-56eb-4280-9f7e-3c3aec51483c"
ZERO = "00000000-0000-0000-0000-000000000000"


class Connection:
    """A minimal keep-alive HTTP/1.1 client: enough for JSON requests with Content-Length answers."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def request(
        self, method: str, path: str, token: str | None = None, body: object = None
    ) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {API}{path} HTTP/1.1\r\nHost: fake\r\nContent-Length: {len(payload)}\r\n"
        if payload:
            head += "Content-Type: application/json\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        self.sock.sendall(head.encode() + b"\r\n" + payload)
        return self.read()

    def send_raw(self, data: bytes) -> tuple[int, bytes]:
        self.sock.sendall(data)
        return self.read()

    def read(self) -> tuple[int, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self.sock.recv(65536)
        self.buffer = rest[length:]
        return status, rest[:length]


def _navigate(conn: Connection, target: str) -> bytes:
    _, body = conn.request("POST", "/auth", body={"username": "admin", "password": "admin", "erp": True})
    token = json.loads(body)["data"]["token"]
    conn.request("POST", "/directories/select", token, {"identifier": "Demo Odoo"})
    if target == "/elevations":
        conn.request("POST", "/projects/select", token, {"identifier": DOS22309})
        conn.request("POST", "/phases/select", token, {"identifier": ZERO})
    return f"GET {API}{target} HTTP/1.1\r\nHost: fake\r\nAuthorization: Bearer {token}\r\n\r\n".encode()


def _worker(port: int, target: str, duration: float, results: mp.Queue) -> None:  # type: ignore[type-arg]
    conn = Connection(port)
    raw = _navigate(conn, target)
    count, errors = 0, 0
    deadline = time.perf_counter() + duration
    while time.perf_counter() < deadline:
        status, _ = conn.send_raw(raw)
        count += 1
        errors += status != 200
    results.put((count, errors))


def measure(port: int, target: str, workers: int, duration: float) -> tuple[float, int]:
    results: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    processes = [mp.Process(target=_worker, args=(port, target, duration, results)) for _ in range(workers)]
    started = time.perf_counter()
    for process in processes:
        process.start()
    totals = [results.get(timeout=duration + 30) for _ in processes]
    for process in processes:
        process.join()
    elapsed = time.perf_counter() - started
    count, errors = sum(t[0] for t in totals), sum(t[1] for t in totals)
    # workers log in before the clock of their loop starts; use the loop duration for the rate
    return count / min(duration, elapsed), errors


def start_fake(size: str) -> tuple[subprocess.Popen[str], int, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_logikal", "--port", "0", "--size", size, "--latency", "none"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready" not in line:
        process.kill()
        raise RuntimeError(f"fake did not start: {line!r}")
    ready = time.perf_counter() - started
    port = int(line.split()[3].split(":")[2].split("/")[0])
    return process, port, ready


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--startup-runs", type=int, default=3)
    args = parser.parse_args()
    print(f"fake_logikal benchmark (python {sys.version.split()[0]}, {mp.cpu_count()} CPUs)")
    process, port, _ = start_fake("small")
    try:
        for target in ("/projects", "/elevations"):
            for workers in args.workers:
                rate, errors = measure(port, target, workers, args.duration)
                print(f"  GET {target:<12} {workers} connection(s): {rate:8.0f} req/s  (non-200: {errors})")
    finally:
        stop(process)
    for size in ("medium", "large"):
        times = []
        for _ in range(args.startup_runs):
            process, _, ready = start_fake(size)
            stop(process)
            times.append(ready)
        print(f"  start-up {size:<6}: median {statistics.median(times):.2f} s (process start -> ready line), "
              f"runs {', '.join(f'{t:.2f}' for t in times)}")  # fmt: skip


if __name__ == "__main__":
    main()
