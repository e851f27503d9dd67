"""Wiring: settings -> database, knowledge, NLU and the service. `main()`s call these."""

from __future__ import annotations

import contextlib
import logging
from typing import Iterator

from bot import db
from bot.hours import WorkingHours
from bot.knowledge.loader import load_knowledge
from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.knowledge.store import digest_of, loaded_digest, replace_knowledge
from bot.nlu_client import RasaClient
from bot.rasa_process import LocalRasaServer
from bot.service import Homeward
from bot.settings import Settings

log = logging.getLogger(__name__)


class SetupError(Exception):
    """Something `make setup` should have done is missing."""


def load_knowledge_into_db(settings: Settings, force: bool = False, engine=None) -> tuple[int, bool]:
    """Validate the YAML files and replace the stored knowledge; (facts, loaded) — unchanged files are skipped.
    A bad file raises KnowledgeError before anything is changed."""
    kb = load_knowledge(settings.knowledge_dir)
    digest = digest_of(settings.knowledge_dir)
    own_engine = engine is None
    engine = engine or db.make_engine(settings.database_url)
    try:
        with db.session_factory(engine).begin() as s:
            if not force and loaded_digest(s) == digest:
                return sum(len(f.facts) for f in kb.files), False
            return replace_knowledge(s, kb, digest), True
    finally:
        if own_engine:
            engine.dispose()


def knowledge_from_db(sessions) -> KnowledgeSnapshot:
    with sessions() as s:
        return KnowledgeSnapshot.from_db(s)


@contextlib.contextmanager
def nlu_client(settings: Settings) -> Iterator[RasaClient]:
    """A client for the configured Rasa server, or for a local one started (and stopped) here."""
    if settings.rasa_url:
        client = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout)
        try:
            yield client
        finally:
            client.close()
        return
    with LocalRasaServer() as server:
        client = RasaClient(server.url, server.token, settings.rasa_timeout)
        try:
            yield client
        finally:
            client.close()


def build_service(settings: Settings, nlu) -> Homeward:
    db.upgrade(settings.database_url)  # idempotent; a database from an older release is brought up to date
    sessions = db.session_factory(db.make_engine(settings.database_url))
    kb = knowledge_from_db(sessions)
    if not kb.facts:
        raise SetupError("the knowledge base in the database is empty; run `homeward kb load` (or `make setup`)")
    return Homeward(
        sessions, nlu, kb,
        threshold=settings.confidence_threshold,
        staff_connected=bool(settings.telegram_bot_token and settings.staff_chat_id),
        hours=WorkingHours.parse(settings.working_hours, settings.timezone) if settings.telegram_bot_token else None,
    )
