"""The dialogue engine: `step(state, message, knowledge)` -> `Outcome(state, replies, effects)`.

It imports nothing from Telegram, the database or HTTP. The edges turn what a worker
sent into a `Message` (text, language, NLU parse), call `step`, then carry out the
effects (open a case, add to a case, delete data) and render the replies.

Rules, in the order they apply:
1. A message with no words (empty, emoji) gets `no_words`; a sticker, photo, voice note,
   location or file gets `media_not_read` — or, during a hand-off, goes to the case.
2. A command (`/human`, `/forget`, …) stands for its intent without NLU.
3. While a hand-off case is open, everything goes to the case, except asking for the
   case's status and deleting one's data.
4. NLU down: say so; the message is kept by the edge. Low confidence: ask again; the
   second miss in a row hands off.
5. Countries named in the message update the profile (home, host), even mid-question.
6. Domain questions need the corridor: missing home or host is asked for, and the
   question is answered once it is known, never guessed. When an answer differs by
   sector or status (domestic work, fishing, no permit …) and the sector is unknown,
   the bot asks once, then answers again for that sector.
7. Abuse, employer problems, asking for a person, a death in the family and accepted
   offers of a person open a hand-off case; abuse is urgent and first gets emergency
   contacts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.answers import DOMAIN_INTENTS, compose_answer, emergency_facts
from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.language import requested_language
from bot.nlu_client import Parse

COMMANDS = {
    "/start": "start",
    "/help": "help",
    "/human": "request_human",
    "/forget": "privacy_delete",
    "/status": "ask_case_status",
    "/language": "change_language",
    "/profile": "show_profile",
}
HANDOFF_INTENTS = {
    "request_human": ("request_human", False),
    "report_employer_problem": ("employer_problem", False),
    "report_abuse": ("abuse", True),
}
SIMPLE_REPLIES = {"goodbye": "goodbye", "thank": "thank", "out_of_scope": "out_of_scope", "help": "help"}
MAX_FALLBACKS = 2
CASE_COMMANDS = {"help", "change_language", "show_profile", "ask_case_status", "privacy_delete"}
CONFIDENCE_THRESHOLD = 0.35  # measured on the dev sets: docs/nlu.md


@dataclass(frozen=True)
class State:
    lang: str = "en"
    lang_chosen: bool = False
    home: str | None = None
    host: str | None = None
    sector: str | None = None  # one of SECTORS, or "other"
    sector_asked: bool = False
    awaiting: str | None = None  # home | host | sector | handoff | forget | language
    pending_intent: str | None = None
    fallbacks: int = 0
    case_id: int | None = None
    intents: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {**self.__dict__, "intents": list(self.intents)}

    @classmethod
    def from_dict(cls, data: dict) -> "State":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["intents"] = tuple(known.get("intents", ()))
        return cls(**known)


@dataclass(frozen=True)
class Message:
    text: str
    lang: str
    parse: Parse | None = None
    has_words: bool = True
    nlu_down: bool = False
    media: str | None = None  # sticker | photo | voice | location | document | …


@dataclass(frozen=True)
class Reply:
    key: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OpenCase:
    reason: str
    urgent: bool = False


@dataclass(frozen=True)
class AddToCase:
    text: str


@dataclass(frozen=True)
class ShowCaseStatus:
    pass


@dataclass(frozen=True)
class DeleteWorkerData:
    pass


Effect = OpenCase | AddToCase | ShowCaseStatus | DeleteWorkerData


@dataclass(frozen=True)
class Outcome:
    state: State
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = ()
    intent: str | None = None
    confidence: float = 0.0


def command_intent(text: str) -> str | None:
    word = text.strip().split(maxsplit=1)[0].split("@")[0].lower() if text.strip() else ""
    return COMMANDS.get(word)


def step(state: State, message: Message, kb: KnowledgeSnapshot, threshold: float = CONFIDENCE_THRESHOLD) -> Outcome:
    """Everything the bot does with one message from a worker."""
    state = replace(state, lang=message.lang)
    command = command_intent(message.text)
    if message.media and not command:
        if state.case_id is not None:
            added = Reply("added_to_case", {"case_id": state.case_id})
            return Outcome(state, (added,), (AddToCase(message.text or f"[{message.media}]"),), None, 0.0)
        return Outcome(state, (Reply("media_not_read"),))
    if not message.has_words and not command:
        return Outcome(state, (Reply("no_words"),))
    if command:
        intent, confidence, parse = command, 1.0, Parse(command, 1.0)
    elif message.parse is not None:
        parse = message.parse
        intent, confidence = parse.intent, parse.confidence
    else:
        intent, confidence, parse = None, 0.0, None

    if state.case_id is not None:
        handled = _during_case(state, message, intent, confidence, command, threshold, kb)
        if handled is not None:
            return handled
    if state.awaiting == "language" and not command and len(message.text.split()) <= 4 and (wanted := requested_language(message.text)):
        return _set_language(state, wanted, confidence)
    if parse is None:
        return Outcome(state, (Reply("nlu_down"),), (), None, 0.0)
    if intent == "nlu_fallback" or confidence < threshold:
        return _not_understood(state, parse, kb, confidence)
    state = replace(state, fallbacks=0)
    state, changed = _update_profile(state, parse, intent)
    return _dispatch(state, intent, confidence, changed, kb, message.text)


def _during_case(state: State, message: Message, intent: str | None, confidence: float, command: str | None,
                 threshold: float, kb: KnowledgeSnapshot) -> Outcome | None:
    """While a hand-off case is open, messages go to the case. Only commands that do not need a
    person (/status, /forget, /help, /language, /profile) and confident status or delete requests
    are answered by the bot; None means: handle the message normally."""
    if command in CASE_COMMANDS:
        return None
    confident = intent is not None and confidence >= threshold
    if state.awaiting == "forget" and confident and intent in ("affirm", "deny"):
        return _confirm(state, intent, kb, confidence)
    if confident and intent == "privacy_delete":
        return None
    added = Outcome(state, (Reply("added_to_case", {"case_id": state.case_id}),), (AddToCase(message.text),), intent, confidence)
    if confident and intent == "ask_case_status":
        return replace(added, replies=(), effects=added.effects + (ShowCaseStatus(),))
    return added


def _dispatch(state: State, intent: str, confidence: float, changed: bool, kb: KnowledgeSnapshot, text: str) -> Outcome:
    if intent in ("affirm", "deny") and state.awaiting in ("handoff", "forget"):
        return _confirm(state, intent, kb, confidence)
    if state.awaiting in ("handoff", "forget"):
        state = replace(state, awaiting=None)  # a question that was not answered is dropped, never confirmed later
    if intent in DOMAIN_INTENTS:
        return _answer_or_ask(state, intent, confidence, kb)
    if intent == "inform_profile" or (changed and intent in ("affirm", "deny", "greet")):
        return _after_profile(state, confidence, kb)
    if intent in HANDOFF_INTENTS:
        reason, urgent = HANDOFF_INTENTS[intent]
        return _handoff(state, intent, confidence, reason, urgent, kb)
    if intent in ("greet", "start"):
        return _greet(state, intent, confidence)
    if intent == "show_profile":
        return Outcome(state, (Reply("profile", _profile(state)),), (), intent, confidence)
    if intent == "ask_case_status":
        return Outcome(state, (), (ShowCaseStatus(),), intent, confidence)
    if intent == "privacy_delete":
        return Outcome(replace(state, awaiting="forget"), (Reply("confirm_forget"),), (), intent, confidence)
    if intent == "change_language":
        return _change_language(state, text, confidence)
    if intent in ("affirm", "deny"):
        return Outcome(replace(state, awaiting=None), (Reply("ok_what_next"),), (), intent, confidence)
    return Outcome(state, (Reply(SIMPLE_REPLIES.get(intent, "out_of_scope")),), (), intent, confidence)


def _update_profile(state: State, parse: Parse, intent: str) -> tuple[State, bool]:
    """Fill home and host from the countries the message names; return (state, changed)."""
    home, host = state.home, state.host
    sectors = parse.values("sector")
    unplaced = []
    for entity in parse.entities:
        if entity.entity != "country":
            continue
        if entity.role == "home":
            home = entity.value
        elif entity.role == "host":
            host = entity.value
        elif entity.value not in (home, host):
            unplaced.append(entity.value)
    for code in unplaced:
        if state.awaiting == "home" and home == state.home:
            home = code
        elif state.awaiting == "host" and host == state.host:
            host = code
        elif home is None and (host is not None or intent == "inform_profile"):
            home = code
        elif host is None or intent == "inform_profile" or intent in DOMAIN_INTENTS:
            host = code
    if home == host and home is not None and (home, host) != (state.home, state.host):
        host = state.host if state.host != home else None
    sector = sectors[-1] if sectors else state.sector
    changed = (home, host, sector) != (state.home, state.host, state.sector)
    return replace(state, home=home, host=host, sector=sector), changed


def _missing(state: State, intent: str) -> str | None:
    needs = ("home",) if intent == "ask_home_scheme" else ("home", "host")
    for slot in needs:
        if getattr(state, slot) is None:
            return slot
    return None


def _ask_for(state: State, slot: str, intent: str | None, confidence: float, pending: str | None) -> Outcome:
    state = replace(state, awaiting=slot, pending_intent=pending)
    return Outcome(state, (Reply(f"ask_{slot}", _profile(state)),), (), intent, confidence)


def _answer_or_ask(state: State, intent: str, confidence: float, kb: KnowledgeSnapshot) -> Outcome:
    slot = _missing(state, intent)
    if slot:
        return _ask_for(state, slot, intent, confidence, intent)
    state = replace(state, awaiting=None, pending_intent=None, intents=(state.intents + (intent,))[-8:])
    answer = compose_answer(kb, intent, state.home, state.host, state.lang, state.sector)
    replies = [Reply("answer", answer)]
    effects: list[Effect] = []
    if answer["depends_on_sector"] and state.sector is None and not state.sector_asked:
        state = replace(state, awaiting="sector", pending_intent=intent, sector_asked=True)
        replies.append(Reply("ask_sector"))
    elif intent == "ask_death_benefit":
        effects.append(OpenCase("death_benefit"))
        replies.append(Reply("handoff_opened", {"urgent": False, "reason": "death_benefit"}))
    elif not answer["any_verified"]:
        state = replace(state, awaiting="handoff")
        replies.append(Reply("offer_person"))
    return Outcome(state, tuple(replies), tuple(effects), intent, confidence)


def _after_profile(state: State, confidence: float, kb: KnowledgeSnapshot) -> Outcome:
    pending = state.pending_intent
    slot = _missing(state, pending or "ask_coverage")
    if slot:
        return _ask_for(state, slot, "inform_profile", confidence, pending)
    if pending:
        outcome = _answer_or_ask(state, pending, confidence, kb)
        noted = Reply("profile_noted", _profile(outcome.state))
        return replace(outcome, replies=(noted,) + outcome.replies, intent="inform_profile")
    state = replace(state, awaiting=None)
    return Outcome(state, (Reply("profile_noted", _profile(state)), Reply("what_to_ask")), (), "inform_profile", confidence)


def _handoff(state: State, intent: str, confidence: float, reason: str, urgent: bool, kb: KnowledgeSnapshot) -> Outcome:
    replies = []
    if urgent:
        replies.append(Reply("emergency", emergency_facts(kb, state.host, state.home, state.lang)))
    replies.append(Reply("handoff_opened", {"urgent": urgent, "reason": reason}))
    state = replace(state, awaiting=None, intents=(state.intents + (intent,))[-8:])
    return Outcome(state, tuple(replies), (OpenCase(reason, urgent),), intent, confidence)


def _confirm(state: State, intent: str, kb: KnowledgeSnapshot, confidence: float) -> Outcome:
    awaiting = state.awaiting
    state = replace(state, awaiting=None)
    if awaiting == "forget":
        if intent == "affirm":
            return Outcome(State(lang=state.lang), (Reply("forgotten"),), (DeleteWorkerData(),), intent, confidence)
        return Outcome(state, (Reply("not_forgotten"),), (), intent, confidence)
    if intent == "affirm":
        return _handoff(state, "request_human", confidence, "no_answer", False, kb)
    return Outcome(state, (Reply("ok_what_next"),), (), intent, confidence)


def _not_understood(state: State, parse: Parse, kb: KnowledgeSnapshot, confidence: float) -> Outcome:
    if state.awaiting in ("home", "host", "sector"):
        updated, changed = _update_profile(state, parse, "inform_profile")
        if changed:
            return _after_profile(replace(updated, fallbacks=0), confidence, kb)
        if state.awaiting in ("home", "host"):
            return _ask_for(state, state.awaiting, "nlu_fallback", confidence, state.pending_intent)
    fallbacks = state.fallbacks + 1
    if fallbacks >= MAX_FALLBACKS:
        outcome = _handoff(replace(state, fallbacks=0), "nlu_fallback", confidence, "fallback", False, kb)
        return replace(outcome, replies=(Reply("not_understood_handoff"),) + outcome.replies)
    return Outcome(replace(state, fallbacks=fallbacks), (Reply("not_understood"),), (), "nlu_fallback", confidence)


def _greet(state: State, intent: str, confidence: float) -> Outcome:
    replies = [Reply("greet", _profile(state))]
    if state.home is None or state.host is None:
        slot = "home" if state.home is None else "host"
        state = replace(state, awaiting=slot)
        replies.append(Reply(f"ask_{slot}", _profile(state)))
    else:
        replies.append(Reply("what_to_ask"))
    return Outcome(state, tuple(replies), (), intent, confidence)


def _change_language(state: State, text: str, confidence: float) -> Outcome:
    wanted = requested_language(text) if not command_intent(text) else None
    if wanted:
        return _set_language(state, wanted, confidence)
    return Outcome(replace(state, awaiting="language"), (Reply("language_menu"),), (), "change_language", confidence)


def _set_language(state: State, lang: str, confidence: float) -> Outcome:
    state = replace(state, lang=lang, lang_chosen=True, awaiting=None)
    return Outcome(state, (Reply("language_set", {"lang": lang}),), (), "change_language", confidence)


def _profile(state: State) -> dict:
    return {"home": state.home, "host": state.host, "sector": state.sector}
