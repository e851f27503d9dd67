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
def rasa_server_url() -> dict[str, str]:
    """Environment for a real Rasa server with the trained model: HOMEWARD_RASA_URL if set, else one started for the session."""
    if os.environ.get("HOMEWARD_RASA_URL"):
        yield {key: os.environ[key] for key in ("HOMEWARD_RASA_URL", "HOMEWARD_RASA_TOKEN") if key in os.environ}
        return
    from bot.rasa_process import LocalRasaServer, model_path

    if not model_path().exists():
        pytest.fail("no trained NLU model for the current data; run `make setup` (homeward nlu train)")
    with LocalRasaServer() as server:
        yield {"HOMEWARD_RASA_URL": server.url, "HOMEWARD_RASA_TOKEN": server.token}


@pytest.fixture(scope="session")
def rasa_client(rasa_server_url):
    from bot.nlu_client import RasaClient

    client = RasaClient(rasa_server_url["HOMEWARD_RASA_URL"], rasa_server_url.get("HOMEWARD_RASA_TOKEN"))
    yield client
    client.close()


def _postgres_admin_url() -> str:
    return os.environ.get("HOMEWARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A fresh, migrated database: a SQLite file, or a new database on the local PostgreSQL server."""
    from bot import db

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'homeward.db'}"
        db.upgrade(url)
        yield url
        return
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"homeward_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is part of the test environment: fail, never skip
        pytest.fail(f"PostgreSQL is not reachable at {_postgres_admin_url()}: {exc}")
    url = make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    db.upgrade(url)
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
