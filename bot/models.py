"""Database tables: the loaded knowledge base, conversations and hand-off cases.

Only what the service needs is kept about a worker: the chat id, the profile
(language, home, host, sector), the dialogue state, and the last few messages of a
conversation so that hotline staff need not ask again. `delete_worker` removes it all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Country(Base):
    __tablename__ = "kb_country"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    names: Mapped[dict] = mapped_column(JSON)


class Scheme(Base):
    __tablename__ = "kb_scheme"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(ForeignKey("kb_country.code"))
    names: Mapped[dict] = mapped_column(JSON)
    website: Mapped[str | None] = mapped_column(String(300))


class Fact(Base):
    __tablename__ = "kb_fact"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    country: Mapped[str] = mapped_column(ForeignKey("kb_country.code"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    topic: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16))
    schemes: Mapped[list] = mapped_column(JSON, default=list)
    with_countries: Mapped[list] = mapped_column(JSON, default=list)
    sectors: Mapped[list] = mapped_column(JSON, default=list)
    texts: Mapped[dict] = mapped_column(JSON)
    steps: Mapped[dict | None] = mapped_column(JSON)
    review_by: Mapped[dt.date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer)
    sources: Mapped[list["FactSource"]] = relationship(
        cascade="all, delete-orphan", order_by="FactSource.position", lazy="selectin"
    )


class FactSource(Base):
    __tablename__ = "kb_fact_source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fact_id: Mapped[str] = mapped_column(ForeignKey("kb_fact.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    date: Mapped[str] = mapped_column(String(10))


class KnowledgeVersion(Base):
    __tablename__ = "kb_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    facts: Mapped[int] = mapped_column(Integer)


class Conversation(Base):
    __tablename__ = "conversation"
    worker_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict] = mapped_column(JSON)
    recent: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class Case(Base):
    __tablename__ = "handoff_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    worker_id: Mapped[str] = mapped_column(String(64), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    lang: Mapped[str | None] = mapped_column(String(8))
    home: Mapped[str | None] = mapped_column(String(8))
    host: Mapped[str | None] = mapped_column(String(8))
    intents: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    topic_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the staff group's forum topic
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    worker_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    raised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # last reminder to staff
    messages: Mapped[list["CaseMessage"]] = relationship(
        cascade="all, delete-orphan", order_by="CaseMessage.id", lazy="selectin"
    )


class CaseMessage(Base):
    __tablename__ = "handoff_case_message"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("handoff_case.id", ondelete="CASCADE"), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # worker | staff | note | event
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Telegram relay: the message to copy (chat, message id), and whether it has reached the other side.
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(BigInteger)
    signed_by: Mapped[str | None] = mapped_column(String(64))
    relayed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    relay_attempts: Mapped[int] = mapped_column(Integer, default=0)
    relay_error: Mapped[str | None] = mapped_column(String(200))


class TelegramUpdate(Base):
    """Every update from Telegram, recorded before it is acted on, so each is processed once."""

    __tablename__ = "telegram_update"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict | None] = mapped_column(JSON)  # kept only until the update is done


class StaffPreference(Base):
    __tablename__ = "staff_preference"
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sign_replies: Mapped[bool] = mapped_column(Boolean, default=False)
