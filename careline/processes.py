"""Start and stop the three processes (Rasa, action server, webhook) for `make run` and the tests."""
from __future__ import annotations

import glob
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from careline.config import ROOT

log = logging.getLogger(__name__)
VENV_BIN = Path(sys.executable).parent


def latest_model() -> str:
    models = sorted(glob.glob(str(ROOT / "models" / "*.tar.gz")), key=os.path.getmtime)
    if not models:
        raise SystemExit("No trained model in models/: run `make train` first.")
    return models[-1]


def base_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore"}
    env.update(overrides)
    return env


class Stack:
    """Rasa server, action server and (optionally) the webhook, as child processes with labelled logs."""

    def __init__(self, env: dict[str, str], rasa_port: int = 5005, action_port: int = 5055, webhook_port: int | None = 5000, model: str | None = None, quiet: bool = False, worker: bool = False):
        self.env = env
        self.rasa_port, self.action_port, self.webhook_port = rasa_port, action_port, webhook_port
        self.model = model or latest_model()
        self.quiet = quiet
        self.worker = worker
        self.children: list[tuple[str, subprocess.Popen]] = []

    def commands(self) -> list[tuple[str, list[str], str]]:
        rasa = str(VENV_BIN / "rasa")
        commands = [
            ("actions", [rasa, "run", "actions", "--actions", "actions", "--port", str(self.action_port)], f"http://127.0.0.1:{self.action_port}/health"),
            ("rasa", [rasa, "run", "--enable-api", "--model", self.model, "--port", str(self.rasa_port), "--interface", "127.0.0.1",
                      "--endpoints", str(ROOT / self.env.get("RASA_ENDPOINTS", "endpoints.yml")), "--credentials", str(ROOT / "credentials.yml")], f"http://127.0.0.1:{self.rasa_port}/status"),
        ]
        if self.webhook_port:
            commands.append(("webhook", [sys.executable, "-m", "ivr"], f"http://127.0.0.1:{self.webhook_port}/healthz"))
        if self.worker:
            commands.append(("outbox", [sys.executable, "-m", "careline.outbox"], None))
        return commands

    def start(self, timeout: float = 180) -> "Stack":
        env = {**self.env, "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
               "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}", "RASA_URL": f"http://127.0.0.1:{self.rasa_port}"}
        if self.webhook_port:
            env["PORT"] = str(self.webhook_port)
        for name, command, _ in self.commands():
            child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
            self.children.append((name, child))
            threading.Thread(target=self._pump, args=(name, child), daemon=True).start()
        deadline = time.monotonic() + timeout
        for name, _, url in self.commands():
            while url:
                if any(child.poll() is not None for _, child in self.children):
                    self.stop()
                    raise RuntimeError(f"a process exited while starting ({name} not ready)")
                try:
                    if requests.get(url, timeout=2).status_code in (200, 503):
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{name} did not start within {timeout:.0f}s")
                time.sleep(0.5)
        return self

    def _pump(self, name: str, child: subprocess.Popen) -> None:
        for line in child.stdout:  # type: ignore[union-attr]
            if not self.quiet:
                sys.stdout.write(f"{name:8} | {line}")

    def stop(self) -> None:
        for _, child in self.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        for _, child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        self.children.clear()

    def wait(self) -> None:
        """Block until Ctrl-C (or SIGTERM) or until one process dies; then stop all of them."""

        def interrupt(signum, _frame):
            raise KeyboardInterrupt

        # Explicit handlers: a shell that starts us in the background may have SIGINT ignored.
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
        try:
            while all(child.poll() is None for _, child in self.children):
                time.sleep(0.5)
            log.error("a process stopped; stopping the others")
        except KeyboardInterrupt:
            print("\nStopping Rasa, the action server and the webhook ...", flush=True)
        finally:
            self.stop()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    from careline.config import Settings

    settings = Settings.from_env()
    stack = Stack(base_env(), webhook_port=settings.port, worker=True)
    print(f"Starting Rasa, the action server, the webhook and the outbox worker (model {Path(stack.model).name}) ...", flush=True)
    stack.start()
    print(f"\nReady: webhook on http://127.0.0.1:{settings.port}  (try `make talk` in another terminal; Ctrl-C stops them all)\n", flush=True)
    stack.wait()


if __name__ == "__main__":
    main()
