"""An immutable, in-memory view of the knowledge base that the dialogue engine reads.

It is built either from validated files (tests, `homeward kb coverage`) or from the
database (the running app), so both read the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import models
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.schema import REGIONAL, CountryFile, Fact, Scheme


@dataclass(frozen=True)
class FactView:
    id: str
    country: str
    role: str
    topic: str
    status: str
    texts: dict[str, str]
    sources: tuple[tuple[str, str], ...]
    review_by: dt.date
    schemes: tuple[str, ...] = ()
    with_countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    steps: dict[str, list[str]] | None = None

    @property
    def verified(self) -> bool:
        return self.status == "verified"


@dataclass(frozen=True)
class KnowledgeSnapshot:
    country_names: dict[str, dict[str, str]]
    scheme_names: dict[str, dict[str, str]]
    facts: tuple[FactView, ...]
    _by_country: dict[str, tuple[FactView, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[FactView]] = {}
        for fact in self.facts:
            grouped.setdefault(fact.country, []).append(fact)
        self._by_country.update({code: tuple(facts) for code, facts in grouped.items()})

    def knows(self, country: str) -> bool:
        return country in self.country_names and country != REGIONAL

    def country_name(self, code: str, lang: str) -> str:
        names = self.country_names.get(code)
        if not names:
            return code
        return names.get(lang) or names["en"]

    def scheme_name(self, scheme: str, lang: str) -> str:
        names = self.scheme_names.get(scheme)
        if not names:
            return scheme
        return names.get(lang) or names["en"]

    def find(self, country: str, role: str, topics: tuple[str, ...], other: str | None) -> list[FactView]:
        """Facts about `country` in `role` on `topics` for a corridor whose other end is `other`."""
        return [
            fact
            for fact in self._by_country.get(country, ())
            if fact.role in (role, "any")
            and fact.topic in topics
            and (not fact.with_countries or other in fact.with_countries)
        ]

    @classmethod
    def from_files(cls, kb: KnowledgeBase) -> "KnowledgeSnapshot":
        facts = []
        for file in kb.files:
            for fact in file.facts:
                texts, steps = merged_texts(kb, fact)
                facts.append(
                    FactView(
                        id=fact.id,
                        country=file.country,
                        role=fact.role,
                        topic=fact.topic,
                        status=fact.status,
                        texts=texts,
                        sources=tuple((s.url, s.date) for s in fact.sources),
                        review_by=fact.review_by,
                        schemes=tuple(fact.schemes),
                        with_countries=tuple(fact.with_),
                        sectors=tuple(fact.sectors),
                        steps=steps,
                    )
                )
        return cls(
            country_names={f.country: country_names(kb, f) for f in kb.files},
            scheme_names={s.id: scheme_names(kb, s) for f in kb.files for s in f.schemes},
            facts=tuple(facts),
        )

    @classmethod
    def from_db(cls, session: Session) -> "KnowledgeSnapshot":
        rows = session.scalars(select(models.Fact).order_by(models.Fact.position)).all()
        facts = tuple(
            FactView(
                id=row.id,
                country=row.country,
                role=row.role,
                topic=row.topic,
                status=row.status,
                texts=dict(row.texts),
                sources=tuple((s.url, s.date) for s in row.sources),
                review_by=row.review_by,
                schemes=tuple(row.schemes),
                with_countries=tuple(row.with_countries),
                sectors=tuple(row.sectors),
                steps=dict(row.steps) if row.steps else None,
            )
            for row in rows
        )
        return cls(
            country_names={c.code: dict(c.names) for c in session.scalars(select(models.Country))},
            scheme_names={s.id: dict(s.names) for s in session.scalars(select(models.Scheme))},
            facts=facts,
        )


def merged_texts(kb: KnowledgeBase, fact: Fact) -> tuple[dict[str, str], dict[str, list[str]] | None]:
    """A fact's texts and steps in every language: en and id from the country file, the rest from translations."""
    texts = fact.text.model_dump(exclude_none=True)
    steps = fact.steps.model_dump(exclude_none=True) if fact.steps else None
    for translation in kb.translations:
        found = translation.facts.get(fact.id)
        if found is None:
            continue
        texts[translation.lang] = found.text
        if steps is not None and found.steps:
            steps[translation.lang] = found.steps
    return texts, steps


def country_names(kb: KnowledgeBase, file: CountryFile) -> dict[str, str]:
    names = file.name.model_dump(exclude_none=True)
    names.update({t.lang: t.countries[file.country] for t in kb.translations if file.country in t.countries})
    return names


def scheme_names(kb: KnowledgeBase, scheme: Scheme) -> dict[str, str]:
    names = scheme.name.model_dump(exclude_none=True)
    names.update({t.lang: t.schemes[scheme.id] for t in kb.translations if scheme.id in t.schemes})
    return names
