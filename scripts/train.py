"""Train the Rasa model only when the training data changed (`make train`)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ["config.yml", "bot", "nlu_data"]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ".py"))
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def main() -> None:
    name = f"careline-{fingerprint()}"
    model = ROOT / "models" / f"{name}.tar.gz"
    if model.exists():
        print(f"Model is up to date: models/{model.name}")
        return
    print(f"Training data changed: training models/{model.name} (a few minutes on 2 cores) ...", flush=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    command = [str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml", "--domain", "bot/domain",
               "--data", "nlu_data", "bot/rules", "bot/stories", "--out", "models", "--fixed-model-name", name]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)
    for old in (ROOT / "models").glob("careline-*.tar.gz"):
        if old != model:
            old.unlink()
    print(f"Trained models/{model.name} ({model.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
