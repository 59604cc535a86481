"""The app (or another WSGI app) under gunicorn with gunicorn.conf.py, in a process group of its own."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py APP` on a free loopback port; a context manager that waits for `ready`.

    `env` is the whole environment of the server (DATABASE_URL, UPLOAD_DIR, SECRET_KEY, ...); the bind
    address, workers, threads and access log are set here.
    """

    def __init__(self, env: dict, log: Path, *, workers: int = 2, threads: int = 4, app: str = "app:app",
                 ready: str = "/healthz", access_log: bool = True):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(workers),
                    "GUNICORN_THREADS": str(threads), "GUNICORN_MAX_REQUESTS": env.get("GUNICORN_MAX_REQUESTS", "0"),
                    "GUNICORN_ACCESSLOG": str(log.with_suffix(".access")) if access_log else ""}
        self.log, self.app, self.ready, self.process = log, app, ready, None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *_exc):
        self.stop()

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.app],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}{self.ready}", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def worker_pids(self) -> list[int]:
        """The master's children: its workers."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_worker(self, pid: int) -> None:
        """SIGKILL one worker: its requests under way are cut off; the master starts another."""
        with contextlib.suppress(ProcessLookupError):  # it had already gone
            os.kill(pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the master and its workers: no shutdown, no response finished."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
