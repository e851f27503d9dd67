"""Load validated knowledge files into the database, replacing what was there in one transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import models
from bot.knowledge.loader import KnowledgeBase, knowledge_files
from bot.knowledge.snapshot import KnowledgeSnapshot


def digest_of(root: Path) -> str:
    h = hashlib.sha256()
    for path in knowledge_files(root):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def loaded_digest(session: Session) -> str | None:
    row = session.scalars(select(models.KnowledgeVersion).order_by(models.KnowledgeVersion.id.desc())).first()
    return row.digest if row else None


def replace_knowledge(session: Session, kb: KnowledgeBase, digest: str) -> int:
    """Replace the stored knowledge with `kb` inside the caller's transaction; return the fact count.
    The rows are written from the same snapshot the app reads back, so both agree by construction."""
    snapshot = KnowledgeSnapshot.from_files(kb)
    for table in (models.FactSource, models.Fact, models.Scheme, models.Country):
        session.execute(delete(table))
    for code, names in snapshot.country_names.items():
        session.add(models.Country(code=code, names=names))
    session.flush()
    for file in kb.files:
        for scheme in file.schemes:
            session.add(models.Scheme(id=scheme.id, country=file.country, names=snapshot.scheme_names[scheme.id], website=scheme.website))
    for position, fact in enumerate(snapshot.facts, start=1):
        session.add(
            models.Fact(
                id=fact.id, country=fact.country, role=fact.role, topic=fact.topic, status=fact.status,
                schemes=list(fact.schemes), with_countries=list(fact.with_countries), sectors=list(fact.sectors),
                texts=fact.texts, steps=fact.steps, review_by=fact.review_by, position=position,
                sources=[models.FactSource(position=i, url=url, date=date) for i, (url, date) in enumerate(fact.sources)],
            )
        )
    session.add(models.KnowledgeVersion(digest=digest, facts=len(snapshot.facts)))
    session.flush()
    return len(snapshot.facts)
