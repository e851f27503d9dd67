"""The hotline's side of hand-off cases: what staff do to a case, and what still has to be relayed.

A case message is relayed by the Telegram front end until `relayed_at` is set:
- `summary`, `worker` and `event` messages go to the case's forum topic in the staff group
  (a topic's summary first);
- `staff` and `bot` messages go to the worker;
- `note` messages stay on the case and are never sent.
Everything lives in the database, so a restart loses and duplicates nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot import models
from bot.models import utcnow

TO_STAFF = ("summary", "worker", "event")
TO_WORKER = ("staff", "bot")
TOPIC_LABELS = {
    "abuse": "URGENT abuse",
    "employer_problem": "employer problem",
    "death_benefit": "death in family",
    "fallback": "not understood",
    "no_answer": "no answer in KB",
    "request_human": "asked for a person",
}


@dataclass(frozen=True)
class CaseView:
    id: int
    worker_id: str
    state: str
    urgent: bool
    reason: str
    lang: str | None
    home: str | None
    host: str | None
    intents: tuple[str, ...]
    topic_id: int | None
    claimed_by: str | None
    worker_blocked: bool
    created_at: dt.datetime

    def waiting(self, now: dt.datetime) -> str:
        minutes = int((now - self.created_at).total_seconds() // 60)
        return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"

    def topic_name(self) -> str:
        corridor = f"{self.home or '?'}→{self.host or '?'}"
        label = TOPIC_LABELS.get(self.reason, self.reason)
        if self.reason in ("request_human", "fallback", "no_answer") and self.intents:
            label = self.intents[-1].removeprefix("ask_").replace("_", " ")
        return f"#{self.id} {corridor} {label}"[:128]


@dataclass(frozen=True)
class PendingRelay:
    message_id: int
    case: CaseView
    sender: str
    text: str
    source_chat_id: int | None
    source_message_id: int | None
    signed_by: str | None


def view(case: models.Case) -> CaseView:
    return CaseView(
        case.id, case.worker_id, case.state, case.urgent, case.reason, case.lang, case.home, case.host,
        tuple(case.intents), case.topic_id, case.claimed_by, case.worker_blocked, case.created_at,
    )


class CaseDesk:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    def get(self, case_id: int) -> CaseView | None:
        with self.sessions() as s:
            case = s.get(models.Case, case_id)
            return view(case) if case else None

    def for_topic(self, topic_id: int) -> CaseView | None:
        with self.sessions() as s:
            case = s.scalars(select(models.Case).where(models.Case.topic_id == topic_id)).first()
            return view(case) if case else None

    def open_cases(self) -> list[CaseView]:
        """Open and claimed cases, urgent first, then oldest first."""
        with self.sessions() as s:
            rows = s.scalars(select(models.Case).where(models.Case.state != "closed")).all()
            return sorted((view(c) for c in rows), key=lambda c: (not c.urgent, c.created_at))

    def needing_topic(self) -> list[CaseView]:
        with self.sessions() as s:
            rows = s.scalars(select(models.Case).where(models.Case.state != "closed", models.Case.topic_id.is_(None)).order_by(models.Case.id))
            return [view(c) for c in rows]

    def topic_opened(self, case_id: int, topic_id: int, summary) -> None:
        """Record the case's topic and queue its opening summary, which carries the worker's messages so
        far (those from before the hand-off); they count as delivered. Later messages are relayed one by one."""
        with self.sessions.begin() as s:
            case = s.get(models.Case, case_id)
            case.topic_id = topic_id
            earlier = [m for m in case.messages if m.sender == "worker" and m.relayed_at is None and m.source_message_id is None]
            for message in earlier:
                message.relayed_at = utcnow()
            s.add(models.CaseMessage(case_id=case_id, sender="summary", text=summary([m.text for m in earlier])))

    def pending(self) -> list[PendingRelay]:
        with self.sessions() as s:
            query = (
                select(models.CaseMessage, models.Case)
                .join(models.Case, models.Case.id == models.CaseMessage.case_id)
                .where(models.CaseMessage.relayed_at.is_(None), models.CaseMessage.sender.in_(TO_STAFF + TO_WORKER))
                .where(or_(models.CaseMessage.sender.in_(TO_WORKER), models.Case.topic_id.is_not(None)))
                .order_by(models.CaseMessage.sender != "summary", models.CaseMessage.id)
            )
            return [
                PendingRelay(m.id, view(c), m.sender, m.text, m.source_chat_id, m.source_message_id, m.signed_by)
                for m, c in s.execute(query)
                if not (m.sender in TO_WORKER and c.worker_blocked)
            ]

    def relayed(self, message_id: int) -> None:
        with self.sessions.begin() as s:
            s.get(models.CaseMessage, message_id).relayed_at = utcnow()

    def relay_failed(self, message_id: int, error: str) -> int:
        """Count a refused delivery; return the number of tries so far."""
        with self.sessions.begin() as s:
            message = s.get(models.CaseMessage, message_id)
            message.relay_attempts += 1
            message.relay_error = error[:200]
            return message.relay_attempts

    def give_up(self, message_id: int, note: str) -> None:
        """Stop trying a message Telegram keeps refusing, and tell staff in the topic instead."""
        with self.sessions.begin() as s:
            message = s.get(models.CaseMessage, message_id)
            message.relayed_at = utcnow()
            s.add(models.CaseMessage(case_id=message.case_id, sender="event", text=note))

    def has_source(self, chat_id: int, message_id: int) -> bool:
        """True when this Telegram message is already on a case (a replayed update)."""
        with self.sessions() as s:
            query = select(models.CaseMessage.id).where(
                models.CaseMessage.source_chat_id == chat_id, models.CaseMessage.source_message_id == message_id
            )
            return s.scalar(query) is not None

    def add(self, case_id: int, sender: str, text: str, source: tuple[int, int] | None = None, signed_by: str | None = None) -> None:
        chat_id, message_id = source or (None, None)
        with self.sessions.begin() as s:
            s.add(models.CaseMessage(
                case_id=case_id, sender=sender, text=text, source_chat_id=chat_id, source_message_id=message_id,
                signed_by=signed_by, relayed_at=utcnow() if sender == "note" else None,
            ))

    def worker_wrote(self, worker_id: str) -> None:
        """A worker who writes has not blocked the bot (any more)."""
        with self.sessions.begin() as s:
            for case in s.scalars(select(models.Case).where(models.Case.worker_id == worker_id, models.Case.worker_blocked.is_(True))):
                case.worker_blocked = False

    def worker_blocked(self, case_id: int, blocked: bool) -> bool:
        """Record whether the worker has blocked the bot; True when that changed."""
        with self.sessions.begin() as s:
            case = s.get(models.Case, case_id)
            changed = case.worker_blocked != blocked
            case.worker_blocked = blocked
            return changed

    def claim(self, case_id: int, who: str) -> None:
        with self.sessions.begin() as s:
            case = s.get(models.Case, case_id)
            case.state, case.claimed_by = "claimed", who[:64]

    def transfer(self, case_id: int, to: str) -> None:
        with self.sessions.begin() as s:
            case = s.get(models.Case, case_id)
            case.claimed_by = to[:64]
            case.state = "claimed"

    def close(self, case_id: int, notice: str) -> None:
        """Close the case and queue `notice` (already in the worker's language) for the worker."""
        with self.sessions.begin() as s:
            case = s.get(models.Case, case_id)
            case.state, case.closed_at = "closed", utcnow()
            s.add(models.CaseMessage(case_id=case_id, sender="bot", text=notice))

    def to_raise(self, now: dt.datetime, after: dt.timedelta) -> list[CaseView]:
        """Unclaimed open cases waiting longer than `after` and not raised within `after`."""
        with self.sessions() as s:
            rows = s.scalars(select(models.Case).where(models.Case.state == "open", models.Case.topic_id.is_not(None)))
            return [view(c) for c in rows if now - c.created_at >= after and (c.raised_at is None or now - c.raised_at >= after)]

    def raised(self, case_id: int, now: dt.datetime) -> None:
        with self.sessions.begin() as s:
            s.get(models.Case, case_id).raised_at = now

    def sign_replies(self, user_id: int) -> bool:
        with self.sessions() as s:
            row = s.get(models.StaffPreference, user_id)
            return bool(row and row.sign_replies)

    def toggle_signing(self, user_id: int) -> bool:
        with self.sessions.begin() as s:
            row = s.get(models.StaffPreference, user_id) or models.StaffPreference(user_id=user_id, sign_replies=False)
            row.sign_replies = not row.sign_replies
            s.add(row)
            return row.sign_replies

    def record_update(self, update_id: int, payload: dict) -> bool:
        """Record an incoming update before acting on it; False when it was already done."""
        with self.sessions.begin() as s:
            row = s.get(models.TelegramUpdate, update_id)
            if row is not None:
                return not row.done
            s.add(models.TelegramUpdate(update_id=update_id, payload=payload))
            return True

    def update_done(self, update_id: int) -> None:
        with self.sessions.begin() as s:
            row = s.get(models.TelegramUpdate, update_id)
            if row is not None:
                row.done, row.payload = True, None

    def unfinished_updates(self) -> list[dict]:
        with self.sessions() as s:
            rows = s.scalars(select(models.TelegramUpdate).where(models.TelegramUpdate.done.is_(False)).order_by(models.TelegramUpdate.update_id))
            return [row.payload for row in rows if row.payload]
