"""End to end on Telegram: real python-telegram-bot against the fake Bot API server, the real
Rasa model and a real database; a worker and hotline staff both simulated."""

from __future__ import annotations

import asyncio
import threading

import pytest
from fake_telegram import FakeTelegram
from sqlalchemy import select

from bot import db, models
from bot.app import build_service
from bot.cases import CaseDesk
from bot.knowledge.store import replace_knowledge
from bot.nlu_client import RasaClient
from bot.settings import Settings
from bot.telegram_front.application import build_application, webhook_options

pytestmark = pytest.mark.rasa
TOKEN = "123456:TEST-token"
WORKER, OTHER_WORKER, STAFF, OUTSIDER = 1001, 1002, 501, 777
STAFF_CHAT = -100500


class RunningBot:
    """The Application polling the fake server in its own thread and event loop, as in production."""

    def __init__(self, settings: Settings, rasa: RasaClient):
        self.settings = settings
        self.service = build_service(settings, rasa)
        self.app = build_application(settings, self.service, CaseDesk(self.service.sessions))
        self._ready = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.app:
            await self.app.post_init(self.app)  # as run_polling does
            await self.app.start()
            if self.settings.webhook_url:
                await self.app.updater.start_webhook(**webhook_options(self.settings))
            else:
                await self.app.updater.start_polling(poll_interval=0.0, timeout=1)
            self._ready.set()
            await self._stop.wait()
            await self.app.updater.stop()
            await self.app.stop()

    def start(self) -> "RunningBot":
        self._thread.start()
        assert self._ready.wait(30), "the bot did not start"
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture
def fake():
    with FakeTelegram(token=TOKEN) as server:
        server.add_user(WORKER, first_name="Siti", language_code="id")
        server.add_user(OTHER_WORKER, first_name="Aung", language_code="en")
        server.add_user(STAFF, first_name="Maria")
        server.add_user(OUTSIDER, first_name="Stranger")
        server.add_group(STAFF_CHAT, "Homeward hotline", is_forum=True, members={STAFF: "administrator", OUTSIDER: "left"})  # a former volunteer
        yield server


@pytest.fixture
def settings(fake, tmp_path, knowledge_base, rasa_server_url):
    url = f"sqlite:///{tmp_path / 'telegram.db'}"
    db.upgrade(url)
    sessions = db.session_factory(db.make_engine(url))
    with sessions.begin() as s:
        replace_knowledge(s, knowledge_base, "test")
    return Settings(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fake.base_url, HOMEWARD_STAFF_CHAT_ID=STAFF_CHAT,
        HOMEWARD_DATABASE_URL=url, HOMEWARD_WORKING_HOURS="always", **rasa_server_url,
    )


@pytest.fixture
def bot(settings, rasa_client):
    running = RunningBot(settings, rasa_client).start()
    yield running
    running.stop()


def to(chat, *, thread=None, contains=None):
    def match(m):
        return m["chat_id"] == chat and (thread is None or m.get("message_thread_id") == thread) and (
            contains is None or contains in (m.get("text") or "")
        )
    return match


def set_profile(fake, worker=WORKER, home="ID", host="MY"):
    fake.user_sends_text(worker, "/start")
    menu = fake.wait_for(lambda m: m["chat_id"] == worker and m.get("reply_markup"))
    fake.user_presses_button(worker, menu, "lang:en")
    ask_home = fake.wait_for(to(worker, contains="Which country are you from"))
    fake.user_presses_button(worker, ask_home, f"home:{home}")
    ask_host = fake.wait_for(to(worker, contains="Which country do you work in"))
    fake.user_presses_button(worker, ask_host, f"host:{host}")
    fake.wait_for(to(worker, contains="Noted"))


def open_case(fake, worker=WORKER):
    fake.user_sends_text(worker, "I want to talk to a real person please")
    fake.wait_for(to(worker, contains="case #"))
    return fake.wait_for(lambda m: m["chat_id"] == STAFF_CHAT and "Recent messages" in (m.get("text") or ""))


def test_start_language_profile_question_answer(fake, bot):
    set_profile(fake)
    fake.user_sends_text(WORKER, "can I withdraw my EPF when I go home?")
    answer = fake.wait_for(to(WORKER, contains="Sources"))
    assert "kwsp" in answer["text"].lower()
    assert answer["parse_mode"] == "HTML" and answer["reply_markup"]
    commands = fake.commands()
    assert any(lang == "id" for _, lang in commands) and len(commands) >= 8


def test_handoff_round_trip(fake, bot):
    set_profile(fake)
    summary = open_case(fake)
    topic = summary["message_thread_id"]
    [created] = [t for t in fake.topics(STAFF_CHAT) if t["message_thread_id"] == topic]
    assert created["name"].startswith("#1 ID→MY")
    assert "I want to talk to a real person please" in summary["text"]

    fake.member_sends_text(STAFF_CHAT, STAFF, "Hello Siti, I am from the hotline. How can I help?", thread_id=topic)
    relayed = fake.wait_for(lambda m: m["chat_id"] == WORKER and m["method"] == "copyMessage")
    assert relayed["chat_id"] == WORKER

    fake.user_sends_photo(WORKER, caption="my payslip")
    fake.wait_for(lambda m: m["chat_id"] == STAFF_CHAT and m["method"] == "copyMessage" and m.get("message_thread_id") == topic)

    fake.member_sends_text(STAFF_CHAT, STAFF, "/note worker sent payslip, employer not paying SOCSO", thread_id=topic)
    fake.wait_for(to(STAFF_CHAT, thread=topic, contains="Note kept"))
    fake.member_sends_text(STAFF_CHAT, STAFF, "/close", thread_id=topic)
    fake.wait_for(to(WORKER, contains="closed your case #1"))
    assert not any("payslip, employer" in (m.get("text") or "") for m in fake.sent(WORKER))

    fake.user_sends_text(WORKER, "how much does my employer pay for socso?")
    fake.wait_for(to(WORKER, contains="Sources"))


def test_urgent_report_gives_emergency_contacts_and_raises_at_once(fake, bot):
    set_profile(fake, home="MM", host="TH")
    fake.user_sends_text(WORKER, "my employer beats me and locks me in the house, help")
    fake.wait_for(to(WORKER, contains="danger"))
    fake.wait_for(to(WORKER, contains="URGENT"))
    alert = fake.wait_for(lambda m: m["chat_id"] == STAFF_CHAT and "Urgent case" in (m.get("text") or ""))
    assert alert.get("message_thread_id") is None
    assert any("URGENT abuse" in t["name"] for t in fake.topics(STAFF_CHAT))


def test_only_staff_can_act_on_a_case(fake, bot):
    set_profile(fake)
    topic = open_case(fake)["message_thread_id"]
    fake.member_sends_text(STAFF_CHAT, OUTSIDER, "/close", thread_id=topic)
    fake.wait_for(to(STAFF_CHAT, thread=topic, contains="Only hotline staff"))
    fake.user_sends_text(WORKER, "/close")
    fake.wait_for(to(WORKER, contains="only for hotline staff"))
    with bot.service.sessions() as s:
        assert s.scalars(select(models.Case)).one().state == "open"


def test_a_workers_messages_never_reach_another_worker(fake, bot):
    set_profile(fake)
    topic = open_case(fake)["message_thread_id"]
    fake.member_sends_text(STAFF_CHAT, STAFF, "Only for Siti", thread_id=topic)
    fake.wait_for(lambda m: m["chat_id"] == WORKER and m["method"] == "copyMessage")
    assert fake.sent(OTHER_WORKER) == []


def test_stickers_and_voice_outside_a_handoff_get_a_polite_reply(fake, bot):
    set_profile(fake)
    fake.user_sends_sticker(WORKER)
    fake.wait_for(to(WORKER, contains="I can only read text"))
    fake.user_sends_voice(WORKER)
    assert len([m for m in fake.sent(WORKER) if "I can only read text" in (m.get("text") or "")]) >= 1


def test_a_blocked_worker_is_noted_in_the_topic(fake, bot):
    set_profile(fake)
    topic = open_case(fake)["message_thread_id"]
    fake.block_bot(WORKER)
    fake.member_sends_text(STAFF_CHAT, STAFF, "Are you there?", thread_id=topic)
    fake.wait_for(to(STAFF_CHAT, thread=topic, contains="blocked the bot"))


def test_restart_in_the_middle_of_a_handoff_loses_and_duplicates_nothing(fake, settings, rasa_client):
    first = RunningBot(settings, rasa_client).start()
    set_profile(fake)
    topic = open_case(fake)["message_thread_id"]
    first.stop()

    fake.user_sends_text(WORKER, "are you still there? my boss took my passport")
    fake.member_sends_text(STAFF_CHAT, STAFF, "We are here, stay calm.", thread_id=topic)
    second = RunningBot(settings, rasa_client).start()
    try:
        fake.wait_for(lambda m: m["chat_id"] == STAFF_CHAT and m["method"] == "copyMessage" and m.get("message_thread_id") == topic)
        fake.wait_for(lambda m: m["chat_id"] == WORKER and m["method"] == "copyMessage")
        fake.wait_until_idle()
    finally:
        second.stop()
    copies_to_staff = [m for m in fake.sent(STAFF_CHAT, thread_id=topic) if m["method"] == "copyMessage"]
    copies_to_worker = [m for m in fake.sent(WORKER) if m["method"] == "copyMessage"]
    assert len(copies_to_staff) == 1 and len(copies_to_worker) == 1
    assert len(fake.topics(STAFF_CHAT)) == 1


def test_staff_admin_reloads_the_knowledge_base_and_a_bad_file_changes_nothing(fake, bot, settings, tmp_path, monkeypatch):
    import shutil

    from bot.settings import PROJECT_ROOT

    root = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", root)
    monkeypatch.setattr(settings, "knowledge_dir", root)  # the running bot reads it at reload time
    before = len(bot.service.kb.facts)
    path = root / "countries" / "MY.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\n  - id: [broken\n", encoding="utf-8")
    fake.member_sends_text(STAFF_CHAT, STAFF, "/reload")
    refused = fake.wait_for(to(STAFF_CHAT, contains="Not reloaded"))
    assert "MY.yaml" in refused["text"] and len(bot.service.kb.facts) == before
    fake.member_sends_text(STAFF_CHAT, OUTSIDER, "/reload")
    fake.wait_for(to(STAFF_CHAT, contains="Only administrators"))
    assert refused["text"].count("\n") < 5  # the cause, not a cascade of follow-on errors
    path.write_text(good.replace("en: Malaysia", "en: Malaysia (reviewed)", 1), encoding="utf-8")
    fake.member_sends_text(STAFF_CHAT, STAFF, "/reload")
    fake.wait_for(to(STAFF_CHAT, contains="Knowledge base reloaded"))
    assert bot.service.kb.country_name("MY", "en") == "Malaysia (reviewed)" and len(bot.service.kb.facts) == before


def test_webhook_mode_checks_the_secret_token(fake, settings, rasa_client):
    import socket

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hooked = settings.model_copy(update={
        "webhook_url": f"http://127.0.0.1:{port}/telegram", "webhook_port": port, "webhook_secret": "s3cret-token",
    })
    running = RunningBot(hooked, rasa_client).start()
    try:
        assert fake.webhook_info()["url"] == f"http://127.0.0.1:{port}/telegram"
        fake.user_sends_text(WORKER, "/start")
        fake.wait_for(lambda m: m["chat_id"] == WORKER and m.get("reply_markup"))
        forged = httpx.post(f"http://127.0.0.1:{port}/telegram", json={"update_id": 999999}, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
        assert forged.status_code == 403
    finally:
        running.stop()


def test_forget_during_a_case_tells_the_topic_and_keeps_nothing_about_the_worker(fake, bot):
    set_profile(fake)
    topic = open_case(fake)["message_thread_id"]
    fake.user_sends_text(WORKER, "/forget")
    question = fake.wait_for(to(WORKER, contains="cannot be undone"))
    fake.user_presses_button(WORKER, question, "intent:affirm")
    fake.wait_for(to(WORKER, contains="deleted your data"))
    fake.wait_for(to(STAFF_CHAT, thread=topic, contains="asked Homeward to delete their data"))
    with bot.service.sessions() as s:
        assert s.scalars(select(models.Case).where(models.Case.worker_id == f"tg:{WORKER}")).all() == []
        assert s.get(models.Conversation, f"tg:{WORKER}") is None
    fake.member_sends_text(STAFF_CHAT, STAFF, "Hello?", thread_id=topic)
    fake.wait_for(to(STAFF_CHAT, thread=topic, contains="This case is closed"))

