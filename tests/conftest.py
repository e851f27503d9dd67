"""Shared fixtures. Integration fixtures start the real Rasa server once per test run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.settings import PROJECT_ROOT

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def knowledge_base():
    return load_knowledge(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="session")
def snapshot(knowledge_base) -> KnowledgeSnapshot:
    return KnowledgeSnapshot.from_files(knowledge_base)


@pytest.fixture(scope="session")
def rasa_client():
    """A client for the real trained model: HOMEWARD_RASA_URL if set, else a local server for the session."""
    from bot.app import nlu_client
    from bot.rasa_process import model_path
    from bot.settings import Settings

    if not os.environ.get("HOMEWARD_RASA_URL") and not model_path().exists():
        pytest.fail("no trained NLU model for the current data; run `make setup` (homeward nlu train)")
    with nlu_client(Settings()) as client:
        yield client
