"""Real app processes for end-to-end board tests: uvicorn on a free port, the boards on another."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STARTUP_SECONDS = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppProcess:
    """`uvicorn --factory web.app:create_app` with settings from XPO_* variables; restartable. `serve`: started
    as `xpo serve` is instead (`web.startup`: the boards serve before the application is built)."""

    database_url: str
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    ws_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    serve: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, tournament_id: int, since: int | None = None) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/tournoi/{tournament_id}" + ("" if since is None else f"?since={since}")

    def start(self) -> "AppProcess":
        config = self.workdir / "config.toml"
        config.write_text("# defaults only: everything else comes from XPO_* variables\n")
        env = {
            **os.environ,
            "XPO_CONFIG": str(config),
            "XPO_DATABASE_URL": self.database_url,
            "XPO_PATHS_DATA_DIR": str(self.workdir / "data"),
            "XPO_SECURITY_SECRET_KEY": "cd" * 32,
            "XPO_BOARDS_PORT": str(self.ws_port),
            "XPO_BOARDS_TEST_ENDPOINTS": "true",
            **self.extra_env,
        }
        self.log = self.workdir / f"server-{self.port}.log"
        with self.log.open("a") as output:
            command = (["-m", "web.cli", "serve", "--port", str(self.port), "--log-level", "warning"] if self.serve else
                       ["-m", "uvicorn", "--factory", "web.app:create_app", "--host", "127.0.0.1",
                        "--port", str(self.port), "--log-level", "warning"])
            self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env={**env, "XPO_SERVER_HOST": "127.0.0.1"},
                                            stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS  # a bound that only ends a hang, even at load 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the app stopped (exit {self.process.returncode}):\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"the app did not answer within {STARTUP_SECONDS} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def play(self, stage_id: int, **body) -> dict:
        import json

        request = urllib.request.Request(
            f"{self.url}/api/boards/test/play", data=json.dumps({"stage_id": stage_id, **body}).encode(),
            headers={"content-type": "application/json"}, method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
