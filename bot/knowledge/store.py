"""Load validated knowledge files into the database, replacing what was there in one transaction."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import models
from bot.knowledge.loader import KnowledgeBase, knowledge_files
from bot.knowledge.snapshot import country_names, merged_texts, scheme_names


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
    """Replace the stored knowledge with `kb` inside the caller's transaction; return the fact count."""
    for table in (models.FactSource, models.Fact, models.Scheme, models.Country):
        session.execute(delete(table))
    position = 0
    for file in kb.files:
        session.add(models.Country(code=file.country, names=country_names(kb, file)))
    session.flush()
    for file in kb.files:
        for scheme in file.schemes:
            session.add(models.Scheme(id=scheme.id, country=file.country, names=scheme_names(kb, scheme), website=scheme.website))
        for fact in file.facts:
            position += 1
            texts, steps = merged_texts(kb, fact)
            session.add(
                models.Fact(
                    id=fact.id,
                    country=file.country,
                    role=fact.role,
                    topic=fact.topic,
                    status=fact.status,
                    schemes=list(fact.schemes),
                    with_countries=list(fact.with_),
                    sectors=list(fact.sectors),
                    texts=texts,
                    steps=steps,
                    review_by=fact.review_by,
                    position=position,
                    sources=[models.FactSource(position=i, url=s.url, date=s.date) for i, s in enumerate(fact.sources)],
                )
            )
    session.add(models.KnowledgeVersion(digest=digest, facts=position))
    session.flush()
    return position
