"""Talk to a Rasa server over HTTP: one `/model/parse` call per message, with a timeout."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx


class NluUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


@dataclass(frozen=True)
class Entity:
    entity: str
    value: str
    role: str | None = None


@dataclass(frozen=True)
class Parse:
    intent: str
    confidence: float
    entities: tuple[Entity, ...] = ()
    ranking: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    def values(self, entity: str) -> list[str]:
        seen: list[str] = []
        for e in self.entities:
            if e.entity == entity and e.value not in seen:
                seen.append(e.value)
        return seen

    @classmethod
    def from_rasa(cls, body: dict) -> "Parse":
        intent = body.get("intent") or {}
        entities = tuple(
            Entity(e["entity"], str(e["value"]), e.get("role"))
            for e in body.get("entities", [])
            if e.get("entity") and e.get("value") is not None
        )
        ranking = tuple((r["name"], float(r["confidence"])) for r in body.get("intent_ranking", []))
        return cls(intent.get("name") or "nlu_fallback", float(intent.get("confidence") or 0.0), entities, ranking)


class RasaClient:
    def __init__(self, url: str, token: str | None = None, timeout: float = 10.0):
        self._params = {"token": token} if token else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)

    def parse(self, text: str) -> Parse:
        try:
            response = self._http.post("/model/parse", params=self._params, json={"text": text})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise NluUnavailable(f"Rasa parse failed: {type(exc).__name__}") from exc
        return Parse.from_rasa(response.json())

    def ready(self) -> bool:
        """True once the server answers and has a model loaded."""
        try:
            response = self._http.get("/status", params=self._params, timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200 and bool(response.json().get("model_file"))

    def wait_ready(self, timeout: float, alive=lambda: True) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return
            if not alive():
                raise NluUnavailable("the Rasa server exited while starting")
            time.sleep(0.5)
        raise NluUnavailable(f"the Rasa server was not ready after {timeout:.0f} s")

    def close(self) -> None:
        self._http.close()
