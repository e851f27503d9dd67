"""The application service: one worker message in, the texts to send back out.

It loads the worker's conversation from the database, cleans the text, picks the
language, asks the NLU, runs the dialogue engine, carries out its effects (cases,
deletion) and renders the replies. Console chat, `homeward ask` and Telegram all
call `Homeward.handle`. No message text is ever logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, field, replace
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot import cases, engine, language, models, text as text_tools
from bot.hours import WorkingHours
from bot.engine import AddToCase, DeleteWorkerData, Message, OpenCase, ShowCaseStatus, State
from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.nlu_client import NluUnavailable, Parse
from bot.responses import Responder

log = logging.getLogger(__name__)
RECENT_MESSAGES = 12
DELETED_NOTE = "🗑 The worker asked Homeward to delete their data: the case is closed and its messages are deleted. Please delete this topic too."
MAX_STORED_CHARS = 4000


class Nlu(Protocol):
    def parse(self, text: str) -> Parse: ...


@dataclass
class Result:
    texts: list[str]
    intent: str | None
    confidence: float
    countries: list[str]
    lang: str
    handoff: bool
    sources: list[str]
    case_id: int | None = None
    urgent: bool = False
    state: State = field(default_factory=State)
    keys: list[str] = field(default_factory=list)


_LOG_KEY = secrets.token_bytes(32)


def worker_tag(worker_id: str) -> str:
    """A pseudonym for logs: stable while the process runs, not reversible from chat ids."""
    return hmac.new(_LOG_KEY, worker_id.encode(), hashlib.sha256).hexdigest()[:12]


class Homeward:
    def __init__(
        self, sessions: sessionmaker[Session], nlu: Nlu, kb: KnowledgeSnapshot, *,
        threshold: float = engine.CONFIDENCE_THRESHOLD, staff_connected: bool = False, hours: WorkingHours | None = None,
    ):
        self.sessions = sessions
        self.nlu = nlu
        self.kb = kb
        self.responder = Responder(kb)
        self.threshold = threshold
        self.staff_connected = staff_connected
        self.hours = hours

    def use_knowledge(self, kb: KnowledgeSnapshot) -> None:
        """Swap in a newly loaded knowledge base (atomic: one reference)."""
        self.kb = kb
        self.responder = Responder(kb)

    def set_profile(self, worker_id: str, home: str | None, host: str | None, lang: str | None) -> None:
        with self.sessions.begin() as s:
            conversation = self._conversation(s, worker_id)
            state = State.from_dict(conversation.state)
            state = replace(state, home=home, host=host, lang=lang or state.lang, lang_chosen=bool(lang))
            conversation.state = state.to_dict()

    def handle(
        self, worker_id: str, raw_text: str, *, parse: Parse | None = None, media: str | None = None,
        source: tuple[int, int] | None = None,
    ) -> Result:
        """One message from a worker. `parse` stands in for NLU (a pressed button); `media` names a
        non-text message; `source` is the (chat, message) to copy when it goes to a hand-off case."""
        raw_text = raw_text or ""
        clean = text_tools.normalise(raw_text)
        with self.sessions.begin() as s:
            state = self._current_state(s, worker_id)
        lang = state.lang if parse or media else language.choose(clean, state.lang, state.lang_chosen)
        message = Message(text=clean, lang=lang, has_words=text_tools.has_words(clean) or parse is not None, parse=parse, media=media)
        if message.has_words and parse is None and not media and not engine.command_intent(clean):
            try:
                message = replace(message, parse=self.nlu.parse(clean))
            except NluUnavailable as exc:
                log.warning("NLU unavailable for worker %s: %s", worker_tag(worker_id), exc)
                message = replace(message, nlu_down=True)
        outcome = engine.step(state, message, self.kb, self.threshold)
        log.info("worker %s intent=%s confidence=%.2f", worker_tag(worker_id), outcome.intent, outcome.confidence)
        typed = parse is None and media is None and bool(raw_text.strip())
        return self._carry_out(worker_id, raw_text if typed else "", message, outcome, source)

    def choose_language(self, worker_id: str, lang: str) -> Result:
        """The worker picked a language (a button): confirm, show the privacy notice, then greet."""
        with self.sessions.begin() as s:
            conversation = self._conversation(s, worker_id)
            conversation.state = replace(State.from_dict(conversation.state), lang=lang, lang_chosen=True).to_dict()
        result = self.handle(worker_id, "/start")
        intro = [self.responder.render(key, lang, {"lang": lang}) for key in ("language_set", "privacy_notice")]
        result.texts[:0] = intro
        result.keys[:0] = ["language_set", "privacy_notice"]
        return result

    def render(self, key: str, lang: str, data: dict | None = None, note: bool = True) -> str:
        return self.responder.render(key, lang, data, note)

    def language_of(self, worker_id: str) -> str:
        with self.sessions() as s:
            row = s.get(models.Conversation, worker_id)
            return State.from_dict(row.state).lang if row else "en"

    def forget(self, worker_id: str) -> None:
        with self.sessions.begin() as s:
            self._delete_worker(s, worker_id)

    def _carry_out(self, worker_id: str, raw_text: str, message: Message, outcome: engine.Outcome, source: tuple[int, int] | None = None) -> Result:
        extra: dict = {"staff_connected": self.staff_connected}
        state, handoff, urgent, deleted = outcome.state, False, False, False
        with self.sessions.begin() as s:
            conversation = self._conversation(s, worker_id)
            if raw_text:
                conversation.recent = (list(conversation.recent) + [raw_text[:MAX_STORED_CHARS]])[-RECENT_MESSAGES:]
            for effect in outcome.effects:
                if isinstance(effect, OpenCase):
                    case = self._open_case(s, worker_id, state, effect, conversation.recent)
                    state = replace(state, case_id=case.id)
                    extra["case_id"] = case.id
                    handoff, urgent = True, effect.urgent
                    log.info("worker %s case %s opened reason=%s urgent=%s", worker_tag(worker_id), case.id, effect.reason, effect.urgent)
                elif isinstance(effect, AddToCase):
                    chat_id, message_id = source or (None, None)
                    if source and self._on_a_case(s, chat_id, message_id):
                        continue  # a replayed update: already on the case
                    s.add(models.CaseMessage(
                        case_id=state.case_id, sender="worker", text=(raw_text or effect.text)[:MAX_STORED_CHARS],
                        source_chat_id=chat_id, source_message_id=message_id,
                    ))
                elif isinstance(effect, ShowCaseStatus):
                    extra.update(self._case_status(s, state.case_id))
                elif isinstance(effect, DeleteWorkerData):
                    self._delete_worker(s, worker_id)
                    deleted = True
            if not deleted:
                conversation.state = state.to_dict()
        replies = list(outcome.replies)
        if any(isinstance(e, ShowCaseStatus) for e in outcome.effects):
            replies.append(engine.Reply("case_status"))
        if handoff and self.hours and not self.hours.is_open(dt.datetime.now(dt.timezone.utc)):
            opening = self.hours.next_opening(dt.datetime.now(dt.timezone.utc))
            replies.append(engine.Reply("out_of_hours", {"opens_at": opening.strftime("%Y-%m-%d %H:%M"), "timezone": str(self.hours.tz)}))
        texts, sources = [], []
        for reply in replies:
            texts.append(self.responder.render(reply.key, state.lang, {**extra, **reply.data}))
            sources += [src["url"] for src in reply.data.get("sources", []) if src["url"] not in sources]
        countries = message.parse.values("country") if message.parse else []
        return Result(texts, outcome.intent, outcome.confidence, countries, state.lang, handoff, sources, state.case_id, urgent, state, [r.key for r in replies])

    def _current_state(self, s: Session, worker_id: str) -> State:
        row = s.get(models.Conversation, worker_id)
        state = State.from_dict(row.state) if row else State()
        if state.case_id is not None:
            case = s.get(models.Case, state.case_id)
            if case is None or case.state == "closed":
                state = replace(state, case_id=None)
        return state

    @staticmethod
    def _conversation(s: Session, worker_id: str) -> models.Conversation:
        row = s.get(models.Conversation, worker_id)
        if row is None:
            row = models.Conversation(worker_id=worker_id, state=State().to_dict(), recent=[])
            s.add(row)
        return row

    @staticmethod
    def _open_case(s: Session, worker_id: str, state: State, effect: OpenCase, recent: list[str]) -> models.Case:
        case = models.Case(
            worker_id=worker_id, reason=effect.reason, urgent=effect.urgent, lang=state.lang,
            home=state.home, host=state.host, intents=list(state.intents),
            messages=[models.CaseMessage(sender="worker", text=t) for t in recent],
        )
        s.add(case)
        s.flush()
        return case

    @staticmethod
    def _case_status(s: Session, case_id: int | None) -> dict:
        case = s.get(models.Case, case_id) if case_id else None
        if case is None:
            return {"case_id": None}
        return {"case_id": case.id, "case_state": case.state, "waiting": cases.view(case).waiting(models.utcnow())}

    @staticmethod
    def _on_a_case(s: Session, chat_id: int, message_id: int) -> bool:
        query = select(models.CaseMessage.id).where(
            models.CaseMessage.source_chat_id == chat_id, models.CaseMessage.source_message_id == message_id
        )
        return s.scalar(query) is not None

    @staticmethod
    def _delete_worker(s: Session, worker_id: str) -> None:
        """Delete everything about a worker. A case that staff have in a topic keeps an empty shell
        (no worker, no messages) so that its topic is told and staff replies go nowhere knowingly."""
        s.execute(delete(models.Conversation).where(models.Conversation.worker_id == worker_id))
        for case in s.scalars(select(models.Case).where(models.Case.worker_id == worker_id)):
            if case.topic_id is None:
                s.delete(case)
                continue
            case.messages.clear()
            s.flush()
            case.worker_id, case.home, case.host, case.lang, case.intents = "deleted", None, None, None, []
            if case.state != "closed":
                case.state, case.closed_at = "closed", models.utcnow()
            case.messages.append(models.CaseMessage(sender="event", text=DELETED_NOTE))
