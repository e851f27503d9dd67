"""Train the Rasa model and run the Rasa server as a child process.

Rasa 3.6 lives in its own Python 3.10 environment (`.venv-rasa`, made by `make setup`);
the app only ever runs its `rasa` command and talks to the server over HTTP.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import socket
import subprocess
from pathlib import Path

from bot.nlu_client import RasaClient
from bot.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

NLU_DIR = PROJECT_ROOT / "nlu"
MODELS_DIR = NLU_DIR / "models"
RASA_ENV = PROJECT_ROOT / ".venv-rasa"
LOG_DIR = PROJECT_ROOT / "var" / "log"
START_TIMEOUT = 240.0


class RasaSetupError(Exception):
    pass


def rasa_command() -> Path:
    command = RASA_ENV / "bin" / "rasa"
    if not command.exists():
        raise RasaSetupError(f"the Rasa environment is missing ({command}); run `make setup` first")
    return command


def rasa_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(NLU_DIR),
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        PYTHONWARNINGS="ignore",
    )
    return env


def training_inputs() -> list[Path]:
    paths = [NLU_DIR / "config.yml", NLU_DIR / "gazetteer.yml", NLU_DIR / "requirements.txt"]
    paths += sorted((NLU_DIR / "data").rglob("*.yml"))
    paths += sorted((NLU_DIR / "components").rglob("*.py"))
    return [p for p in paths if p.exists()]


def training_digest() -> str:
    h = hashlib.sha256()
    for path in training_inputs():
        h.update(str(path.relative_to(NLU_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def model_path() -> Path:
    """The model trained from the current data and config (it may not exist yet)."""
    return MODELS_DIR / f"nlu-{training_digest()}.tar.gz"


def train(force: bool = False) -> tuple[Path, bool]:
    """Train unless a model for the current inputs exists; return (model, trained)."""
    target = model_path()
    if target.exists() and not force:
        return target, False
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        str(rasa_command()), "train", "nlu",
        "--config", "config.yml", "--nlu", "data",
        "--out", str(MODELS_DIR), "--fixed-model-name", target.name.removesuffix(".tar.gz"),
    ]
    log.info("training the NLU model %s", target.name)
    result = subprocess.run(command, cwd=NLU_DIR, env=rasa_environment())
    if result.returncode != 0 or not target.exists():
        raise RasaSetupError(f"rasa train failed with exit code {result.returncode}")
    for old in MODELS_DIR.glob("nlu-*.tar.gz"):
        if old != target:
            old.unlink()
    return target, True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalRasaServer:
    """`rasa run --enable-api` on loopback with a fresh auth token, waited for until its model is loaded."""

    def __init__(self, model: Path | None = None, port: int | None = None):
        self.model = model or model_path()
        self.port = port or _free_port()
        self.token = secrets.token_urlsafe(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    def start(self) -> "LocalRasaServer":
        if not self.model.exists():
            raise RasaSetupError(f"no trained model at {self.model}; run `homeward nlu train` (or `make setup`)")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        command = [
            str(rasa_command()), "run", "--enable-api", "-i", "127.0.0.1", "-p", str(self.port),
            "--auth-token", self.token, "-m", str(self.model),
        ]
        with open(LOG_DIR / "rasa.log", "ab") as out:
            self._process = subprocess.Popen(command, cwd=NLU_DIR, env=rasa_environment(), stdout=out, stderr=subprocess.STDOUT)
        client = RasaClient(self.url, self.token)
        try:
            client.wait_ready(START_TIMEOUT, alive=lambda: self._process.poll() is None)
        except Exception:
            self.stop()
            raise
        finally:
            client.close()
        log.info("Rasa server ready on port %s", self.port)
        return self

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> "LocalRasaServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
