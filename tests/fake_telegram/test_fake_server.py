"""The fake Bot API server, driven by real python-telegram-bot objects.

PTB's TelegramError strips "Bad Request: " and capitalize()s the rest of the description
(lower-casing it), hence the case-insensitive matches.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, NetworkError,
                            RetryAfter)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from fake_telegram import FakeTelegram

TOKEN = "123:ABC"
USER = 42
GROUP = -1001234567890
STAFF = 7


@pytest.fixture
def fake():
    with FakeTelegram(token=TOKEN) as server:
        server.add_user(USER, first_name="Aye", language_code="my")
        server.add_group(GROUP, "Hotline", members={STAFF: "administrator", 8: "member"})
        yield server


def with_bot(fake, scenario, token=TOKEN):
    """Run ``await scenario(bot)`` with a PTB Bot pointed at the fake."""
    async def main():
        async with Bot(token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
            return await scenario(bot)
    return asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ basics

def test_get_me(fake):
    me = with_bot(fake, lambda bot: bot.get_me())
    assert (me.id, me.is_bot, me.username) == (123, True, "homeward_test_bot")


def test_wrong_token_and_unknown_method(fake):
    with pytest.raises(InvalidToken) as caught:  # Bot.initialize() calls getMe
        with_bot(fake, lambda bot: bot.get_me(), token="123:WRONG")
    assert "Unauthorized" in str(caught.value.__cause__)
    with pytest.raises(EndPointNotFound):  # a 404 from do_api_request
        with_bot(fake, lambda bot: bot.do_api_request("noSuchMethod"))


def test_send_message_returns_a_full_message_and_is_recorded(fake):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])

    async def scenario(bot):
        return await bot.send_message(USER, "<b>Hello</b> &amp; welcome", parse_mode="HTML", reply_markup=keyboard)

    message = with_bot(fake, scenario)
    assert message.text == "Hello & welcome"
    assert message.entities[0].type == "bold" and message.entities[0].length == 5
    assert message.from_user.is_bot and message.chat.id == USER and message.chat.type == "private"
    assert message.reply_markup == keyboard
    [sent] = fake.sent(USER)
    assert sent["method"] == "sendMessage" and sent["message_id"] == message.message_id
    assert sent["text"] == "Hello & welcome" and sent["parse_mode"] == "HTML"
    assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"


def test_json_bodies_are_accepted_too(fake):
    import httpx

    response = httpx.post(f"{fake.base_url}{TOKEN}/sendMessage",
                          json={"chat_id": USER, "text": "hi", "reply_markup": {"inline_keyboard": [
                              [{"text": "a", "callback_data": "a"}]]}})
    assert response.status_code == 200 and response.json()["result"]["reply_markup"]["inline_keyboard"]
    response = httpx.get(f"{fake.base_url}{TOKEN}/SENDMESSAGE", params={"chat_id": USER, "text": "hi"})
    assert response.json()["ok"] is True  # method names are case-insensitive


# ------------------------------------------------------------------ errors

def test_length_limit_counts_after_entity_parsing(fake):
    async def scenario(bot):
        await bot.send_message(USER, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
        await bot.send_message(USER, "&lt;" * 4096, parse_mode="HTML")
        await bot.send_message(USER, "x" * 4097)

    with pytest.raises(BadRequest, match="(?i)Message is too long"):
        with_bot(fake, scenario)
    assert len(fake.sent()) == 2


@pytest.mark.parametrize("text, error", [
    ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("<b>bold", "Can't find end tag corresponding to start tag b"),
    ("bold</b>", "Unexpected end tag at byte offset 4"),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ('<a href="https://x.org>x</a>', "Unclosed start tag at byte offset 0"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
])
def test_html_parse_errors_surface_as_bad_request(fake, text, error):
    with pytest.raises(BadRequest, match="(?i)Can't parse entities") as caught:
        with_bot(fake, lambda bot: bot.send_message(USER, text, parse_mode="HTML"))
    assert error.lower() in caught.value.message.lower()  # PTB's TelegramError capitalize()s the text
    assert fake.sent() == []


def test_html_that_telegram_accepts(fake):
    text = ('Tom & Jerry &lt;3 <a href="https://example.org/?a=1&amp;b=2">link</a> <tg-spoiler>s</tg-spoiler> '
            '<span class="tg-spoiler">t</span> <blockquote expandable>q</blockquote> '
            '<pre><code class="language-python">print(1)</code></pre> <u>u</u><s>s</s><i>i</i><code>c</code>')
    message = with_bot(fake, lambda bot: bot.send_message(USER, text, parse_mode="HTML"))
    assert message.text.startswith("Tom & Jerry <3 link s t q print(1)")
    types = {e.type: e for e in message.entities}
    assert types["text_link"].url == "https://example.org/?a=1&b=2"
    assert types["pre"].language == "python"
    assert {"spoiler", "expandable_blockquote", "underline", "strikethrough", "italic", "code"} <= set(types)


def test_markdown_v2_reserved_characters(fake):
    with pytest.raises(BadRequest, match=r"(?i)Character '\.' is reserved"):
        with_bot(fake, lambda bot: bot.send_message(USER, "*Hi* there.", parse_mode="MarkdownV2"))
    message = with_bot(fake, lambda bot: bot.send_message(USER, r"*Hi* there\. [site](https://x.org/a\)b)",
                                                          parse_mode="MarkdownV2"))
    assert message.text == "Hi there. site"
    assert [(e.type, e.url) for e in message.entities] == [("bold", None), ("text_link", "https://x.org/a)b")]


@pytest.mark.parametrize("chat, text, kwargs, error", [
    (USER, "", {}, "Message text is empty"),
    (USER, "  \n ", {}, "Message text is empty"),
    (USER, "<b></b>", {"parse_mode": "HTML"}, "Message text is empty"),
    (999, "hi", {}, "Chat not found"),
    (USER, "hi", {"parse_mode": "BBCode"}, "Unsupported parse_mode"),
])
def test_bad_requests(fake, chat, text, kwargs, error):
    with pytest.raises(BadRequest, match=error):
        with_bot(fake, lambda bot: bot.send_message(chat, text, **kwargs))


def test_blocked_user_is_forbidden(fake):
    fake.block_bot(USER)
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        with_bot(fake, lambda bot: bot.send_message(USER, "hello?"))
    with pytest.raises(Forbidden):
        with_bot(fake, lambda bot: bot.send_chat_action(USER, "typing"))
    [update] = fake.pending_updates()
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    updates = with_bot(fake, lambda bot: bot.get_updates())
    assert updates[0].my_chat_member.new_chat_member.status == "kicked"


@pytest.mark.filterwarnings("ignore:.*retry_after.*timedelta")  # PTB 22 internals touching RetryAfter.retry_after
def test_injected_faults(fake):
    fake.fail_next("sendMessage", 500, times=2)
    fake.fail_next("getChat", 429, retry_after=7)

    async def scenario(bot):
        for _ in range(2):
            with pytest.raises(NetworkError, match="(?i)Internal Server Error"):
                await bot.send_message(USER, "x")
        with pytest.raises(RetryAfter) as caught:
            await bot.get_chat(USER)
        assert "Retry in 7 seconds" in str(caught.value)
        return await bot.send_message(USER, "finally")

    assert with_bot(fake, scenario).text == "finally"


# ------------------------------------------------------------------ forum topics

def test_forum_topic_created_and_message_sent_into_it(fake):
    async def scenario(bot):
        topic = await bot.create_forum_topic(GROUP, "Case #1 · Aye")
        message = await bot.send_message(GROUP, "New case", message_thread_id=topic.message_thread_id)
        with pytest.raises(BadRequest, match="(?i)Message thread not found"):
            await bot.send_message(GROUP, "lost", message_thread_id=9999)
        with pytest.raises(BadRequest):
            await bot.create_forum_topic(GROUP, "x" * 129)
        with pytest.raises(BadRequest, match="(?i)Title must be non-empty"):
            await bot.create_forum_topic(GROUP, "   ")
        await bot.close_forum_topic(GROUP, topic.message_thread_id)
        with pytest.raises(BadRequest, match="(?i)Topic_not_modified"):
            await bot.close_forum_topic(GROUP, topic.message_thread_id)
        return topic, message

    topic, message = with_bot(fake, scenario)
    assert message.is_topic_message and message.message_thread_id == topic.message_thread_id
    assert message.reply_to_message.forum_topic_created.name == "Case #1 · Aye"
    assert fake.topics(GROUP) == [{"message_thread_id": topic.message_thread_id, "name": "Case #1 · Aye",
                                   "icon_color": topic.icon_color, "closed": True}]
    assert [m["text"] for m in fake.sent(GROUP, thread_id=topic.message_thread_id)] == ["New case"]


def test_topics_need_a_forum(fake):
    fake.add_group(-1009, "Plain", is_forum=False)
    with pytest.raises(BadRequest, match="(?i)The chat is not a forum"):
        with_bot(fake, lambda bot: bot.create_forum_topic(-1009, "x"))


def test_copy_a_users_photo_into_a_topic(fake):
    update = fake.user_sends_photo(USER, caption="my card")
    source_id = update["message"]["message_id"]

    async def scenario(bot):
        topic = await bot.create_forum_topic(GROUP, "Aye")
        copied = await bot.copy_message(GROUP, USER, source_id, message_thread_id=topic.message_thread_id)
        forwarded = await bot.forward_message(GROUP, USER, source_id, message_thread_id=topic.message_thread_id)
        with pytest.raises(BadRequest, match="(?i)Message to copy not found"):
            await bot.copy_message(GROUP, USER, 999)
        return topic, copied, forwarded

    topic, copied, forwarded = with_bot(fake, scenario)
    copy_record, forward_record = fake.sent(GROUP, thread_id=topic.message_thread_id)
    assert copy_record["method"] == "copyMessage" and copy_record["message_id"] == copied.message_id
    assert copy_record["media_type"] == "photo" and copy_record["caption"] == "my card"
    assert copy_record["copied_from"] == {"chat_id": USER, "message_id": source_id}
    assert forwarded.photo and forwarded.forward_origin.sender_user.id == USER
    assert forward_record["media_type"] == "photo"


def test_member_messages_in_topics_look_like_telegrams(fake):
    thread = fake.add_topic(GROUP, "Staff room")["message_thread_id"]
    raw = fake.member_sends_text(GROUP, STAFF, "/close@homeward_test_bot now", thread_id=thread)
    update = Update.de_json(raw, None)
    message = update.message
    assert message.is_topic_message and message.message_thread_id == thread
    assert message.chat.is_forum and message.chat.type == "supergroup"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == len("/close@homeward_test_bot")
    assert message.reply_to_message.forum_topic_created is not None
    assert message.reply_to_message.message_id == thread


# ------------------------------------------------------------------ updates

def test_get_updates_in_order_and_offset_drops_them(fake):
    fake.user_sends_text(USER, "/start")
    fake.user_sends_sticker(USER)
    fake.user_sends_location(USER, 13.75, 100.5)
    fake.user_sends_voice(USER)
    fake.user_sends_document(USER, "payslip.pdf")

    async def scenario(bot):
        first = await bot.get_updates(limit=2)
        again = await bot.get_updates()
        after = await bot.get_updates(offset=again[-1].update_id + 1, timeout=0)
        return first, again, after

    first, again, after = with_bot(fake, scenario)
    assert [u.update_id for u in again] == sorted(u.update_id for u in again) and len(again) == 5
    assert [u.update_id for u in first] == [u.update_id for u in again[:2]]
    assert again[0].message.text == "/start" and again[0].message.entities[0].type == "bot_command"
    assert again[1].message.sticker and again[2].message.location.latitude == 13.75
    assert again[3].message.voice and again[4].message.document.file_name == "payslip.pdf"
    assert [u.message.message_id for u in again] == [1, 2, 3, 4, 5]
    assert after == ()
    assert fake.pending_updates() == []


def test_long_polling_waits_for_an_update(fake):
    async def scenario(bot):
        threading.Timer(0.3, fake.user_sends_text, (USER, "late")).start()
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5)
        elapsed = time.monotonic() - started
        empty_started = time.monotonic()
        empty = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=1)
        return updates, elapsed, empty, time.monotonic() - empty_started

    updates, elapsed, empty, waited = with_bot(fake, scenario)
    assert updates[0].message.text == "late" and 0.2 < elapsed < 3
    assert empty == () and 0.9 < waited < 3


def test_a_second_poller_ends_the_first_with_a_conflict(fake):
    async def main():
        async with Bot(TOKEN, base_url=fake.base_url) as first, Bot(TOKEN, base_url=fake.base_url) as second:
            polling = asyncio.create_task(first.get_updates(timeout=5))
            await asyncio.sleep(0.3)
            assert await second.get_updates(timeout=0) == ()
            with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
                await polling

    asyncio.run(main())


def test_webhook_receives_posts_with_the_secret(fake):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    try:
        assert with_bot(fake, lambda bot: bot.set_webhook(url, secret_token="s3cret"))
        fake.user_sends_text(USER, "hello hook")
        fake.wait_until_idle(timeout=5)
        [(secret, update)] = received
        assert secret == "s3cret" and update["message"]["text"] == "hello hook"

        with pytest.raises(Conflict, match="(?i)can't use getUpdates method while webhook is active"):
            with_bot(fake, lambda bot: bot.get_updates())
        info = with_bot(fake, lambda bot: bot.get_webhook_info())
        assert info.url == url and info.pending_update_count == 0

        with_bot(fake, lambda bot: bot.delete_webhook())
        fake.user_sends_text(USER, "back to polling")
        assert with_bot(fake, lambda bot: bot.get_updates())[0].message.text == "back to polling"
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_webhook_delivery_failures_are_retried_and_reported(fake):
    fake.webhook_retry_delay = 0.05
    port = free_port()
    with_bot(fake, lambda bot: bot.set_webhook(f"http://127.0.0.1:{port}/hook"))
    fake.user_sends_text(USER, "nobody listens")
    deadline = time.monotonic() + 5
    while "last_error_message" not in fake.webhook_info() and time.monotonic() < deadline:
        time.sleep(0.02)
    info = with_bot(fake, lambda bot: bot.get_webhook_info())
    assert info.pending_update_count == 1 and "Connection failed" in info.last_error_message


def test_ptb_webhook_server_end_to_end(fake):
    port = free_port()

    async def echo(update, context):
        await update.message.reply_text(f"echo: {update.message.text}")

    async def scenario():
        app = Application.builder().token(TOKEN).base_url(fake.base_url).build()
        app.add_handler(MessageHandler(filters.TEXT, echo))
        async with app:
            await app.start()
            await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="hook", secret_token="s3cret",
                                            webhook_url=f"http://127.0.0.1:{port}/hook")
            fake.user_sends_text(USER, "ping")
            reply = await fake.wait_for_async(lambda m: m["text"] == "echo: ping", timeout=5)
            await app.updater.stop()
            await app.stop()
            return reply

    assert asyncio.run(scenario())["chat_id"] == USER


def test_callback_query_round_trip_with_polling(fake):
    async def start(update, context):
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Talk to staff", callback_data="handoff")]])
        await update.message.reply_text("How can I help?", reply_markup=keyboard)

    async def pressed(update, context):
        await update.callback_query.answer("Connecting you…")
        await update.callback_query.edit_message_text(f"You chose {update.callback_query.data}")

    async def scenario():
        app = Application.builder().token(TOKEN).base_url(fake.base_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(pressed))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            fake.user_sends_text(USER, "/start")
            menu = await fake.wait_for_async(lambda m: m["reply_markup"] is not None)
            with pytest.raises(AssertionError, match="(?i)no button"):
                fake.user_presses_button(USER, menu, "nonsense")
            fake.user_presses_button(USER, menu, "handoff")
            edited = await fake.wait_for_async(lambda m: m["method"] == "editMessageText")
            await app.updater.stop()
            await app.stop()
            return menu, edited

    menu, edited = asyncio.run(scenario())
    assert edited["message_id"] == menu["message_id"] and edited["text"] == "You chose handoff"
    assert edited["reply_markup"] is None and "reply_markup" not in fake.message(USER, menu["message_id"])
    assert fake.callback_answers()[0]["text"] == "Connecting you…"
    assert fake.pending_updates() == []


def test_callback_queries_can_be_answered_once_and_edits_must_change_something(fake):
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = with_bot(fake, lambda bot: bot.send_message(USER, "menu", reply_markup=keyboard))
    query_id = fake.user_presses_button(USER, sent.message_id, "a")["callback_query"]["id"]

    async def scenario(bot):
        assert await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match="(?i)Query is too old"):
            await bot.answer_callback_query(query_id)
        with pytest.raises(BadRequest, match="(?i)Message is not modified"):
            await bot.edit_message_text("menu", USER, sent.message_id, reply_markup=keyboard)
        with pytest.raises(BadRequest, match="(?i)Button_data_invalid"):
            await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("long", callback_data="x" * 65)]]))
        return await bot.edit_message_reply_markup(USER, sent.message_id)

    assert with_bot(fake, scenario).reply_markup is None


def test_wait_for_times_out_with_a_dump(fake):
    with_bot(fake, lambda bot: bot.send_message(USER, "something else"))
    with pytest.raises(AssertionError, match="(?i)something else"):
        fake.wait_for(lambda m: m["text"] == "never", timeout=0.2)


# ------------------------------------------------------------------ commands, members, files

def test_commands_per_scope_and_language(fake):
    async def scenario(bot):
        await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
        await bot.set_my_commands([BotCommand("start", "စတင်ရန်")], language_code="my")
        await bot.set_my_commands([BotCommand("close", "Close the case")], scope=BotCommandScopeChat(GROUP))
        with pytest.raises(BadRequest, match="(?i)Bot_command_invalid"):
            await bot.set_my_commands([BotCommand("Start", "Start")])
        return await bot.get_my_commands(language_code="my"), await bot.get_my_commands(language_code="th")

    burmese, thai = with_bot(fake, scenario)
    assert [c.command for c in burmese] == ["start"] and thai == ()
    commands = fake.commands()
    assert [c["command"] for c in commands[("default", "")]] == ["start", "help"]
    assert commands[(f"chat:{GROUP}", "")] == [{"command": "close", "description": "Close the case"}]


def test_chat_members_and_chats(fake):
    async def scenario(bot):
        return (await bot.get_chat_member(GROUP, STAFF), await bot.get_chat_member(GROUP, 8),
                await bot.get_chat_member(GROUP, USER), await bot.get_chat_member(GROUP, 123),
                await bot.get_chat(GROUP), await bot.get_chat(USER))

    staff, member, outsider, me, group, private = with_bot(fake, scenario)
    assert (staff.status, member.status, outsider.status) == ("administrator", "member", "left")
    assert me.status == "administrator" and me.can_manage_topics
    assert group.is_forum and group.title == "Hotline" and private.first_name == "Aye"


def test_photo_upload_and_file_download(fake):
    fake.user_sends_photo(USER)

    async def scenario(bot):
        sent = await bot.send_photo(USER, b"\x89PNG fake image bytes", caption="<i>chart</i>", parse_mode="HTML")
        file = await bot.get_file(sent.photo[-1].file_id)
        uploaded = await file.download_as_bytearray()
        [update] = await bot.get_updates()
        incoming = await (await bot.get_file(update.message.photo[-1].file_id)).download_as_bytearray()
        return sent, bytes(uploaded), incoming

    sent, uploaded, incoming = with_bot(fake, scenario)
    assert sent.caption == "chart" and sent.caption_entities[0].type == "italic"
    assert uploaded == b"\x89PNG fake image bytes" and len(incoming) > 0
    assert fake.sent(USER)[0]["media_type"] == "photo"
