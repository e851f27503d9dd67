"""A worker's conversation through the real trained Rasa model and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from bot import db, models
from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.knowledge.store import replace_knowledge
from bot.nlu_client import RasaClient
from bot.responses import Responder
from bot.service import Homeward

pytestmark = pytest.mark.rasa


@pytest.fixture
def service(database_url, knowledge_base, rasa_client):
    engine = db.make_engine(database_url)
    sessions = db.session_factory(engine)
    with sessions.begin() as s:
        replace_knowledge(s, knowledge_base, "test")
    with sessions() as s:
        kb = KnowledgeSnapshot.from_db(s)
    yield Homeward(sessions, rasa_client, kb, threshold=0.3)
    engine.dispose()


def count(service, model, **where):
    with service.sessions() as s:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return s.scalar(query)


def test_profile_then_question_then_a_sourced_answer(service):
    first = service.handle("w1", "hello")
    assert first.intent == "greet" and "Which country are you from" in first.texts[-1]
    second = service.handle("w1", "I am from Indonesia and I work in Malaysia")
    assert (second.state.home, second.state.host) == ("ID", "MY")
    answer = service.handle("w1", "can I withdraw my EPF when I go home?")
    assert answer.intent == "ask_take_home" and answer.sources
    assert "Malaysia" in answer.texts[0] and "[1]" in answer.texts[0]


def test_question_first_is_answered_once_the_corridor_is_known(service):
    asked = service.handle("w2", "i hurt my hand at the factory, who pays the hospital?")
    assert asked.intent == "ask_work_injury" and asked.state.awaiting == "home"
    service.handle("w2", "Philippines")
    done = service.handle("w2", "Singapore")
    assert done.state.host == "SG" and done.sources


def test_indonesian_worker_gets_indonesian_replies(service):
    result = service.handle("w3", "halo kak, sy dari indonesia kerja di malaysia")
    assert result.lang == "id" and (result.state.home, result.state.host) == ("ID", "MY")
    assert "Dicatat" in result.texts[0]


def test_abuse_opens_an_urgent_case_with_the_transcript(service):
    service.handle("w4", "I am from Myanmar, working in Thailand")
    result = service.handle("w4", "my employer locks me in the house and hits me")
    assert result.intent == "report_abuse" and result.handoff and result.urgent
    with service.sessions() as s:
        case = s.get(models.Case, result.case_id)
        assert case.urgent and case.reason == "abuse" and (case.home, case.host) == ("MM", "TH")
        assert [m.text for m in case.messages][-1] == "my employer locks me in the house and hits me"
    follow_up = service.handle("w4", "please hurry")
    assert "Added to your case" in follow_up.texts[0]
    assert count(service, models.CaseMessage, case_id=result.case_id) == 3


def test_forget_me_deletes_conversation_and_cases(service):
    service.handle("w5", "I want to talk to a real person")
    assert count(service, models.Case, worker_id="w5") == 1
    service.handle("w5", "/forget")
    service.handle("w5", "yes")
    assert count(service, models.Case, worker_id="w5") == 0
    assert count(service, models.Conversation, worker_id="w5") == 0


@pytest.mark.parametrize("message", ["", "   ", "🙏😭👍", "x" * 10_000])
def test_bad_input_gets_a_clear_reply_and_is_kept(service, message):
    result = service.handle("w6", message)
    assert result.texts and all(t.strip() for t in result.texts)
    assert all(len(t) < 4096 for t in result.texts)


def test_unknown_host_country_says_so_and_still_answers_for_home(service):
    service.handle("w7", "I'm Filipino working in Japan")
    result = service.handle("w7", "can I keep paying SSS while abroad?")
    assert result.state.host == "JP" and result.sources


def test_rasa_down_keeps_the_message_and_says_so(service):
    down = Homeward(service.sessions, RasaClient("http://127.0.0.1:9", timeout=0.5), service.kb)
    result = down.handle("w8", "can i take my epf home")
    assert "technical problem" in result.texts[0]
    with service.sessions() as s:
        assert s.get(models.Conversation, "w8").recent == ["can i take my epf home"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_database_connections_dropped_mid_handoff_lose_nothing(service):
    opened = service.handle("w9", "I want to talk to a real person")
    with service.sessions.kw["bind"].connect() as c:
        c.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    follow = service.handle("w9", "my boss took my passport")
    assert "Added to your case" in follow.texts[0]
    assert count(service, models.CaseMessage, case_id=opened.case_id) == 2


LANGS = ["en", "id", "tl", "vi", "th", "my", "km", "lo"]


@pytest.mark.parametrize("lang", LANGS)
def test_one_conversation_per_language(service, lang, rasa_client):
    import yaml

    from bot.settings import PROJECT_ROOT

    data = yaml.safe_load((PROJECT_ROOT / "nlu" / "data" / f"{lang}.yml").read_text(encoding="utf-8"))
    examples = {block["intent"]: [l[2:] for l in block["examples"].splitlines() if l.startswith("- ")] for block in data["nlu"]}
    worker = f"lang-{lang}"
    service.set_profile(worker, "MM", "TH", None)
    question = next(
        t for t in examples["ask_take_home"]
        if (p := rasa_client.parse(t)).intent == "ask_take_home" and not p.values("country") and p.confidence > 0.5
    )
    result = service.handle(worker, question)
    assert result.intent == "ask_take_home" and result.lang == lang
    assert result.sources and "http" in result.texts[0]
    english = Responder(service.kb).render("profile", "en", {"home": "MM", "host": "TH"})
    assert service.render("profile", lang, {"home": "MM", "host": "TH"}) != english or lang == "en"
    goodbye = service.handle(worker, examples["goodbye"][0])
    assert goodbye.lang == lang
