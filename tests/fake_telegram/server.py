"""A fake Telegram Bot API server for tests, driven by real python-telegram-bot objects.

    with FakeTelegram(token="123:ABC") as fake:
        fake.add_user(42, first_name="Aye")
        bot = telegram.Bot("123:ABC", base_url=fake.base_url, base_file_url=fake.base_file_url)
        fake.user_sends_text(42, "/start")
        ...  # run the bot (polling or webhook), then inspect:
        reply = fake.wait_for(lambda m: m["chat_id"] == 42 and "Welcome" in m["text"])

Requests arrive at ``/bot<TOKEN>/<method>`` (GET or POST; query string, form,
multipart or JSON bodies; JSON-encoded fields such as ``reply_markup`` inside
form data). Every answer is ``{"ok": true, "result": …}`` or ``{"ok": false,
"error_code": N, "description": "…"[, "parameters": {"retry_after": S}]}`` with
the HTTP status equal to ``error_code``, which is what PTB maps to its exceptions
(400 BadRequest, 401/404 InvalidToken, 403 Forbidden, 409 Conflict, 429 RetryAfter).

Faithful (where it matters for a bot's behaviour):
* Wrong token -> 401 "Unauthorized" (404 "Not Found" for a token without ':'),
  unknown method -> 404 "Not Found"; method names are case-insensitive.
* getUpdates: offset confirms and drops older updates (negative offset keeps the
  last N), limit 1-100, long polling up to ``timeout`` seconds, allowed_updates
  (remembered; by default chat_member / message_reaction* are not produced);
  a second poller ends the first one with 409 "Conflict: terminated by other
  getUpdates request…"; with a webhook set, 409 "Conflict: can't use getUpdates…".
* setWebhook: each new update is POSTed as JSON, in order, with
  ``X-Telegram-Bot-Api-Secret-Token``; failed deliveries are retried and shown
  in getWebhookInfo (last_error_date / last_error_message, pending_update_count).
* Text: parse modes HTML / MarkdownV2 / Markdown with tdlib's error texts
  ("Bad Request: can't parse entities: …", see formatting.py); limits counted
  after entity parsing and whitespace trimming (4096 text, 1024 caption, UTF-16
  units); "message text is empty"; "chat not found"; "unsupported parse_mode".
* Forum topics: createForumTopic needs a forum ("the chat is not a forum"); the
  thread id is the id of the topic's service message (same counter as message
  ids); messages in a topic carry message_thread_id, is_topic_message and a
  reply_to_message pointing at the topic's creation message, like real ones;
  "message thread not found"; close/reopen/edit without a change ->
  "TOPIC_NOT_MODIFIED".
* Inline keyboards: callback_data 1-64 bytes ("BUTTON_DATA_INVALID"), a button
  needs an action; Message.reply_markup echoes inline keyboards only;
  editMessageText without reply_markup removes the keyboard; editing to the
  same content -> "message is not modified: …"; answering a callback query twice
  or an unknown one -> "query is too old and response timeout expired or query ID is invalid".
* A user who blocked the bot: 403 "Forbidden: bot was blocked by the user" for
  anything sent to that chat, and the bot gets a my_chat_member update (kicked).
* Message ids count per chat; update ids increase; dates are Unix time.

Simplified:
* The bot is an administrator of every group (it sees all messages, may create
  and manage topics); with ``bot_can_manage_topics=False`` it may not create
  topics ("not enough rights to create a topic") and posting into a closed topic
  fails with "TOPIC_CLOSED". message_thread_id is ignored outside forums.
* Topic names longer than 128 characters are refused with 400 (tdlib would
  silently truncate them); an empty name -> "Title must be non-empty".
* Files: simulated media get small fake contents; getFile and downloads under
  base_file_url work; uploads are stored as-is, nothing is checked or resized.
* No automatic url/mention entities in the bot's texts, no inline mode, no
  payments, no rate limiting unless injected with ``fail_next(..., 429)``, http://
  webhook URLs on any port are accepted, replies in the webhook response are ignored.
* Some error texts for rarely hit cases are approximations (marked "(fake)").
"""

from __future__ import annotations

import asyncio
import copy
import email.parser
import email.policy
import itertools
import json
import re
import socket
import threading
import time
import traceback
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from .formatting import EntityParseError, UnsupportedParseMode, bot_command_entities, parse, utf16_len

__all__ = ["ApiError", "FakeTelegram"]

NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}  # unless in allowed_updates
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
MEDIA_KEYS = ("text", "photo", "sticker", "voice", "location", "document", "video", "audio", "animation")
BUTTON_ACTIONS = {"url", "callback_data", "web_app", "login_url", "switch_inline_query", "copy_text", "pay",
                  "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game"}
TOPIC_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message")
BAD_QUERY = "query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """An unsuccessful Bot API answer."""

    def __init__(self, code: int, description: str, retry_after: int | None = None):
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after

    def body(self) -> dict:
        body = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


class Params:
    """Request parameters, whether they came as query, form, multipart or JSON."""

    def __init__(self, raw: dict):
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name, default)
        return value if value is None or isinstance(value, (str, dict)) else str(value)

    def int(self, name: str, default: int | None = None, required: bool = False) -> int | None:
        if not self.has(name):
            if required:
                raise bad_request(f"{name} is empty")
            return default
        try:
            return int(self.raw[name])
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified (fake)") from None

    def float(self, name: str, default: float) -> float:
        try:
            return float(self.raw[name]) if self.has(name) else default
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified (fake)") from None

    def bool(self, name: str) -> bool:
        value = self.raw.get(name)
        return value is True or str(value).lower() in ("true", "1")

    def json(self, name: str, default: Any = None) -> Any:
        value = self.raw.get(name)
        if value in (None, ""):
            return default
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None


def _compact(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


_METHODS: dict[str, Callable] = {}


def api(name: str):
    """Register a FakeTelegram method as the handler of Bot API method ``name``."""
    def register(func):
        _METHODS[name.lower()] = func
        return func
    return register


def _suffix(file_name: str) -> str:
    return "." + file_name.rpartition(".")[2] if "." in file_name else ""


def _media_type(message: dict) -> str:
    return next((k for k in MEDIA_KEYS if k in message), "service")


# --------------------------------------------------------------------- server

class FakeTelegram:
    """An in-process Bot API server; all public methods are synchronous and thread-safe."""

    def __init__(self, token: str = "123:ABC", *, bot_username: str = "homeward_test_bot",
                 bot_first_name: str = "Homeward Test", bot_can_manage_topics: bool = True,
                 webhook_retry_delay: float = 0.2):
        self.token = token
        self.bot_can_manage_topics = bot_can_manage_topics
        self.webhook_retry_delay = webhook_retry_delay
        self.bot_user = {"id": int(token.split(":")[0]), "is_bot": True, "first_name": bot_first_name,
                         "username": bot_username}
        self._cond = threading.Condition(threading.RLock())
        self._users: dict[int, dict] = {}
        self._chats: dict[int, dict] = {}
        self._members: dict[int, dict[int, str]] = {}
        self._blocked: set[int] = set()
        self._topics: dict[int, dict[int, dict]] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._message_ids: dict[int, itertools.count] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._allowed_updates: set[str] | None = None  # None: the default set
        self._poll_generation = 0
        self._sent: list[dict] = []
        self._calls: list[tuple[str, dict]] = []
        self._chat_actions: list[dict] = []
        self._callback_queries: dict[str, bool] = {}  # id -> answered
        self._callback_answers: list[dict] = []
        self._callback_ids = itertools.count(4_000_000_001)
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._faults: dict[str, list[list]] = {}
        self._files: dict[str, dict] = {}
        self._file_ids = itertools.count(1)
        self._webhook: dict = {"url": ""}
        self._stopping = False
        self._httpd: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ lifecycle

    def start(self) -> FakeTelegram:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._threads = [threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                          name="fake-telegram-http", daemon=True),
                         threading.Thread(target=self._webhook_loop, name="fake-telegram-webhook", daemon=True)]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ------------------------------------------------------------ the world

    def add_user(self, user_id: int, first_name: str = "Test User", language_code: str | None = "en", *,
                 last_name: str | None = None, username: str | None = None) -> dict:
        """A user who has started the bot: a private chat with chat id = user id."""
        user = _compact({"id": user_id, "is_bot": False, "first_name": first_name, "last_name": last_name,
                         "username": username, "language_code": language_code})
        with self._cond:
            self._users[user_id] = user
            self._chats[user_id] = _compact({"id": user_id, "type": "private", "first_name": first_name,
                                             "last_name": last_name, "username": username})
        return dict(user)

    def add_group(self, chat_id: int, title: str, is_forum: bool = True, members: dict[int, str] | None = None,
                  *, username: str | None = None) -> dict:
        """A supergroup (forum topics on by default); members: {user_id: member|administrator|creator}."""
        with self._cond:
            self._chats[chat_id] = _compact({"id": chat_id, "type": "supergroup", "title": title,
                                             "username": username, "is_forum": is_forum or None})
            self._members[chat_id] = dict(members or {})
            self._topics.setdefault(chat_id, {})
            for user_id in self._members[chat_id]:
                self._users.setdefault(user_id, {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"})
            return dict(self._chats[chat_id])

    def add_topic(self, chat_id: int, name: str, *, user_id: int | None = None) -> dict:
        """A forum topic created by a member (the first admin by default) rather than by the bot."""
        with self._cond:
            if user_id is None:
                user_id = next((u for u, s in self._members[chat_id].items() if s != "member"), None)
            creator = self._users[user_id] if user_id is not None else self.bot_user
            return self._create_topic(chat_id, name, TOPIC_COLORS[0], creator)

    def block_bot(self, user_id: int) -> dict:
        """The user blocks the bot: sending to them fails with 403; the bot gets my_chat_member."""
        with self._cond:
            self._blocked.add(user_id)
            return self._enqueue("my_chat_member", self._my_chat_member(user_id, "member", "kicked"))

    def unblock_bot(self, user_id: int) -> dict:
        with self._cond:
            self._blocked.discard(user_id)
            return self._enqueue("my_chat_member", self._my_chat_member(user_id, "kicked", "member"))

    # ------------------------------------------------------------ simulated users

    def user_sends_text(self, user_id: int, text: str, *, reply_to: dict | int | None = None) -> dict:
        entities = bot_command_entities(text)
        return self._user_message(user_id, user_id, None, reply_to, text=text, entities=entities or None)

    def user_sends_photo(self, user_id: int, caption: str | None = None) -> dict:
        return self._user_message(user_id, user_id, None, None, photo=self._fake_photo(), caption=caption)

    def user_sends_sticker(self, user_id: int, emoji: str = "👍") -> dict:
        sticker = {**self._fake_file("sticker", ".webp", 2048), "type": "regular", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "emoji": emoji}
        return self._user_message(user_id, user_id, None, None, sticker=sticker)

    def user_sends_voice(self, user_id: int, duration: int = 3) -> dict:
        voice = {**self._fake_file("voice", ".oga", 4096), "duration": duration, "mime_type": "audio/ogg"}
        return self._user_message(user_id, user_id, None, None, voice=voice)

    def user_sends_location(self, user_id: int, lat: float, lon: float) -> dict:
        return self._user_message(user_id, user_id, None, None, location={"latitude": lat, "longitude": lon})

    def user_sends_document(self, user_id: int, file_name: str, mime_type: str = "application/pdf") -> dict:
        document = {**self._fake_file("document", _suffix(file_name), 1024), "file_name": file_name,
                    "mime_type": mime_type}
        return self._user_message(user_id, user_id, None, None, document=document)

    def member_sends_text(self, chat_id: int, user_id: int, text: str, thread_id: int | None = None, *,
                          reply_to: dict | int | None = None) -> dict:
        entities = bot_command_entities(text)
        return self._user_message(chat_id, user_id, thread_id, reply_to, text=text, entities=entities or None)

    def member_sends_photo(self, chat_id: int, user_id: int, thread_id: int | None = None,
                           caption: str | None = None) -> dict:
        return self._user_message(chat_id, user_id, thread_id, None, photo=self._fake_photo(), caption=caption)

    def user_presses_button(self, user_id: int, message: dict | int, data: str) -> dict:
        """A callback_query for an inline button on ``message`` (a sent() record, a Message dict or,
        for the user's private chat, a message id); the button must exist."""
        with self._cond:
            chat_id, message_id = self._message_ref(user_id, message)
            current = self._messages.get((chat_id, message_id))
            if current is None:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            buttons = [b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
            if not any(b.get("callback_data") == data for b in buttons):
                raise AssertionError(f"message {message_id} has no button with callback_data {data!r}: {buttons}")
            query_id = str(next(self._callback_ids))
            self._callback_queries[query_id] = False
            query = {"id": query_id, "from": self._users[user_id], "message": current,
                     "chat_instance": str(abs(hash((chat_id, self.bot_user["id"])))), "data": data}
            return self._enqueue("callback_query", query)

    # ------------------------------------------------------------ inspection

    def sent(self, chat_id: int | None = None, thread_id: int | None = None) -> list[dict]:
        """What the bot sent or edited, oldest first: dicts with method, chat_id, message_id,
        message_thread_id, media_type, text, caption, entities, parse_mode, reply_markup,
        copied_from ({chat_id, message_id} for copies and forwards) and the full message."""
        with self._cond:
            return [copy.deepcopy(r) for r in self._sent
                    if (chat_id is None or r["chat_id"] == chat_id)
                    and (thread_id is None or r["message_thread_id"] == thread_id)]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """The current state of a stored message (after edits)."""
        with self._cond:
            return copy.deepcopy(self._messages.get((chat_id, message_id)))

    def topics(self, chat_id: int) -> list[dict]:
        with self._cond:
            return [dict(t) for t in self._topics.get(chat_id, {}).values()]

    def commands(self) -> dict[tuple[str, str], list[dict]]:
        """setMyCommands registrations: {(scope, language_code): [{command, description}]}; scope is
        "default", "all_private_chats", "chat:<id>", "chat_member:<chat>:<user>", ...; language "" = all."""
        with self._cond:
            return copy.deepcopy(self._commands)

    def callback_answers(self) -> list[dict]:
        with self._cond:
            return copy.deepcopy(self._callback_answers)

    def chat_actions(self, chat_id: int | None = None) -> list[dict]:
        with self._cond:
            return [dict(a) for a in self._chat_actions if chat_id is None or a["chat_id"] == chat_id]

    def calls(self, method: str | None = None) -> list[tuple[str, dict]]:
        """Every API request received, as (method, params)."""
        with self._cond:
            return [c for c in self._calls if method is None or c[0].lower() == method.lower()]

    def webhook_info(self) -> dict:
        with self._cond:
            return self._get_webhook_info(Params({}))

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 10, *, after: int = 0) -> dict:
        """The first sent() record (from index ``after`` on) satisfying predicate; waits for it.
        A predicate raising KeyError/TypeError/AttributeError counts as False."""
        def match():
            for record in self._sent[after:]:
                try:
                    if predicate(record):
                        return record
                except (KeyError, TypeError, AttributeError):
                    pass
            return None

        with self._cond:
            if self._cond.wait_for(match, timeout):
                return copy.deepcopy(match())
            dump = "\n".join(json.dumps({k: v for k, v in r.items() if k != "message"}, ensure_ascii=False)
                             for r in self._sent) or "(nothing)"
            raise AssertionError(f"no sent message matched within {timeout}s; the bot sent:\n{dump}")

    async def wait_for_async(self, predicate: Callable[[dict], bool], timeout: float = 10, *, after: int = 0) -> dict:
        """wait_for() for code running inside the bot's event loop."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout, after=after)

    def pending_updates(self) -> list[dict]:
        """Queued updates the bot has not yet fetched (confirmed by a later getUpdates offset,
        which PTB's polling loop does right after receiving a batch) or, with a webhook, had delivered."""
        with self._cond:
            return copy.deepcopy(self._updates)

    def wait_until_idle(self, timeout: float = 10) -> None:
        """Wait until the bot has fetched every queued update (not until its handlers finished)."""
        with self._cond:
            if not self._cond.wait_for(lambda: not self._updates, timeout):
                raise AssertionError(f"the bot did not fetch {len(self._updates)} update(s) within {timeout}s: "
                                     f"{[u['update_id'] for u in self._updates]}")

    # ------------------------------------------------------------ faults

    def fail_next(self, method: str, error_code: int = 500, description: str = "Internal Server Error",
                  times: int = 1, *, retry_after: int | None = None) -> None:
        """The next ``times`` calls of ``method`` fail with this error (429 gets parameters.retry_after)."""
        if error_code == 429:
            retry_after = retry_after or 1
            if description == "Internal Server Error":
                description = f"Too Many Requests: retry after {retry_after}"
        with self._cond:
            self._faults.setdefault(method.lower(), []).append([error_code, description, times, retry_after])

    def _take_fault(self, method: str) -> ApiError | None:
        faults = self._faults.get(method.lower())
        if not faults:
            return None
        fault = faults[0]
        fault[2] -= 1
        if fault[2] <= 0:
            faults.pop(0)
        return ApiError(fault[0], fault[1], fault[3])

    # ------------------------------------------------------------ internals

    def _now(self) -> int:
        return int(time.time())

    def _enqueue(self, kind: str, payload: dict) -> dict:
        update = {"update_id": next(self._update_ids), kind: payload}
        allowed = self._allowed_updates
        if kind in allowed if allowed else kind not in NOT_BY_DEFAULT:
            self._updates.append(update)
            self._cond.notify_all()
        return copy.deepcopy(update)

    def _my_chat_member(self, user_id: int, old: str, new: str) -> dict:
        bot = {"status": new, "user": self.bot_user}
        if new == "kicked":
            bot["until_date"] = 0
        return {"chat": self._chats[user_id], "from": self._users[user_id], "date": self._now(),
                "old_chat_member": {"status": old, "user": self.bot_user}, "new_chat_member": bot}

    def _new_message(self, chat_id: int, sender: dict, thread_id: int | None = None, reply_to: dict | None = None,
                     **content) -> dict:
        """Store a new message in ``chat_id``; returns it."""
        message_id = next(self._message_ids.setdefault(chat_id, itertools.count(1)))
        message = {"message_id": message_id, "from": sender, "date": self._now(), "chat": self._chats[chat_id]}
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
            reply_to = reply_to or self._messages.get((chat_id, thread_id))
        if reply_to is not None:
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        message.update(_compact(content))
        self._messages[(chat_id, message_id)] = message
        return message

    def _user_message(self, chat_id: int, user_id: int, thread_id: int | None, reply_to, **content) -> dict:
        with self._cond:
            chat = self._chats.get(chat_id)
            if chat is None or user_id not in self._users:
                raise ValueError(f"unknown chat {chat_id} or user {user_id}: add_user/add_group first")
            if chat["type"] == "private" and user_id in self._blocked:
                raise ValueError(f"user {user_id} blocked the bot; call unblock_bot first")
            status = self._members.get(chat_id, {}).get(user_id)
            if chat["type"] != "private" and status is None:
                raise ValueError(f"user {user_id} is not a member of {chat_id}")
            if thread_id is not None:
                topic = self._topics.get(chat_id, {}).get(thread_id)
                if topic is None:
                    raise ValueError(f"no topic {thread_id} in chat {chat_id}")
                if topic["closed"] and status == "member":
                    raise ValueError(f"topic {thread_id} is closed; members can't post in it")
            if isinstance(reply_to, (dict, int)):
                reply_to = self._messages[self._message_ref(chat_id, reply_to)]
            message = self._new_message(chat_id, self._users[user_id], thread_id, reply_to, **content)
            return self._enqueue("message", message)

    def _message_ref(self, chat_id: int, message: dict | int) -> tuple[int, int]:
        if isinstance(message, int):
            return chat_id, message
        if "chat" in message:
            return message["chat"]["id"], message["message_id"]
        return message["chat_id"], message["message_id"]

    def _fake_file(self, kind: str, suffix: str, size: int, content: bytes | None = None) -> dict:
        """A stored file, downloadable at base_file_url + "<token>/<kind>s/file_<n><suffix>"."""
        with self._cond:
            n = next(self._file_ids)
            file_id, unique_id = f"{kind}-{n}-fake-file-id", f"{kind}{n}uniq"
            self._files[file_id] = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size,
                                    "file_path": f"{kind}s/file_{n}{suffix}",
                                    "content": content if content is not None else b"\0" * size}
        return {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}

    def _fake_photo(self, content: bytes | None = None) -> list[dict]:
        sizes = []
        for width, height in ((90, 67), (320, 240), (1280, 960)):
            photo = self._fake_file("photo", ".jpg", len(content) if content else width * 10, content)
            sizes.append({**photo, "width": width, "height": height})
        return sizes

    def _record(self, method: str, message: dict, *, parse_mode: str | None = None, reply_markup: dict | None = None,
                copied_from: dict | None = None) -> None:
        self._sent.append({
            "method": method, "chat_id": message["chat"]["id"], "message_id": message["message_id"],
            "message_thread_id": message.get("message_thread_id"), "media_type": _media_type(message),
            "text": message.get("text"), "caption": message.get("caption"),
            "entities": message.get("entities") or message.get("caption_entities") or [],
            "parse_mode": parse_mode, "reply_markup": reply_markup, "copied_from": copied_from,
            "message": message,
        })
        self._cond.notify_all()

    # ------------------------------------------------------------ shared checks

    def _chat(self, p: Params, name: str = "chat_id") -> dict:
        if not p.has(name):
            raise bad_request(f"{name} is empty")
        value = p.str(name)
        if value.startswith("@"):
            chat = next((c for c in self._chats.values() if c.get("username") == value[1:]), None)
        else:
            try:
                chat = self._chats.get(int(value))
            except ValueError:
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _writable_chat(self, p: Params) -> dict:
        chat = self._chat(p)
        if chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _thread(self, chat: dict, p: Params) -> int | None:
        thread_id = p.int("message_thread_id")
        if not thread_id or not chat.get("is_forum"):
            return None
        topic = self._topics.get(chat["id"], {}).get(thread_id)
        if topic is None:
            raise bad_request("message thread not found")
        if topic["closed"] and not self.bot_can_manage_topics:
            raise bad_request("TOPIC_CLOSED")
        return thread_id

    def _text(self, p: Params, name: str, limit: int, entities_name: str) -> tuple[str | None, list[dict]]:
        raw = p.str(name)
        if raw is None:
            return None, []
        try:
            text, entities = parse(raw, p.str("parse_mode"), p.json(entities_name))
        except UnsupportedParseMode:
            raise bad_request("unsupported parse_mode") from None
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        if utf16_len(text) > limit:
            raise bad_request("message is too long" if name == "text" else "message caption is too long")
        return text, entities

    def _markup(self, p: Params) -> tuple[dict | None, dict | None]:
        """(reply_markup as sent, the inline keyboard to attach to the message or None)."""
        markup = p.json("reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup, None
        for row in markup["inline_keyboard"]:
            for button in row:
                if not BUTTON_ACTIONS & button.keys():
                    raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the "
                                      "inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup, {"inline_keyboard": markup["inline_keyboard"]}

    def _bot_message(self, p: Params, method: str, **content) -> dict:
        """Send ``content`` to chat_id (and message_thread_id) as the bot; records and returns the message."""
        chat = self._writable_chat(p)
        thread_id = self._thread(chat, p)
        reply_markup, inline = self._markup(p)
        copied_from = content.pop("copied_from", None)
        message = self._new_message(chat["id"], self.bot_user, thread_id, reply_markup=inline, **content)
        self._record(method, message, parse_mode=p.str("parse_mode"), reply_markup=reply_markup,
                     copied_from=copied_from)
        return message

    def _source_message(self, p: Params, action: str) -> dict:
        source_chat = self._chat(p, "from_chat_id")
        source = self._messages.get((source_chat["id"], p.int("message_id", required=True)))
        if source is None:
            raise bad_request(f"message to {action} not found")
        if _media_type(source) == "service":
            raise bad_request(f"message can't be {action}ed" if action == "forward" else "message can't be copied")
        return source

    def _editable(self, p: Params) -> dict:
        if p.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake (fake)")
        chat = self._chat(p)
        message = self._messages.get((chat["id"], p.int("message_id", required=True)))
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        return message

    def _store_edit(self, method: str, message: dict, changes: dict, reply_markup: dict | None,
                    p: Params) -> dict:
        """Replace ``changes`` (None removes a field) in a bot message; records and returns it."""
        edited = {k: v for k, v in message.items() if k not in changes and k != "edit_date"} | _compact(changes)
        if edited == {k: v for k, v in message.items() if k != "edit_date"}:
            raise bad_request(NOT_MODIFIED)
        edited["edit_date"] = self._now()
        self._messages[(message["chat"]["id"], message["message_id"])] = edited
        self._record(method, edited, parse_mode=p.str("parse_mode"), reply_markup=reply_markup)
        return edited

    def _topic(self, p: Params) -> tuple[int, dict]:
        chat = self._forum(p)
        topic = self._topics[chat["id"]].get(p.int("message_thread_id", required=True))
        if topic is None:
            raise bad_request("message thread not found")
        return chat["id"], topic

    def _forum(self, p: Params) -> dict:
        chat = self._chat(p)
        if not chat.get("is_forum"):
            raise bad_request("the chat is not a forum")
        return chat

    def _create_topic(self, chat_id: int, name: str, icon_color: int, creator: dict) -> dict:
        service = self._new_message(chat_id, creator, forum_topic_created={"name": name, "icon_color": icon_color})
        thread_id = service["message_id"]
        service.update(message_thread_id=thread_id, is_topic_message=True)
        topic = {"message_thread_id": thread_id, "name": name, "icon_color": icon_color, "closed": False}
        self._topics[chat_id][thread_id] = topic
        return dict(topic)

    def _service_in_topic(self, chat_id: int, topic: dict, **content) -> None:
        self._new_message(chat_id, self.bot_user, topic["message_thread_id"], **content)

    # ------------------------------------------------------------ Bot API methods

    @api("getMe")
    def _get_me(self, p):
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    @api("getUpdates")
    def _get_updates(self, p):
        if self._webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset, limit = p.int("offset", 0), min(max(p.int("limit", 100), 1), 100)
        deadline = time.monotonic() + max(p.float("timeout", 0), 0)
        allowed = p.json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = set(allowed) or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._cond.notify_all()
        self._poll_generation += 1
        generation = self._poll_generation
        while not self._updates and not self._stopping:
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only "
                                    "one bot instance is running")
            if self._webhook["url"]:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return self._updates[:limit]

    @api("setWebhook")
    def _set_webhook(self, p):
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        allowed = p.json("allowed_updates")
        if allowed is not None:
            self._allowed_updates = set(allowed) or None
        self._webhook = {"url": p.str("url", ""), "secret_token": p.str("secret_token"),
                         "max_connections": p.int("max_connections", 40), "allowed_updates": allowed}
        self._cond.notify_all()
        return True

    @api("deleteWebhook")
    def _delete_webhook(self, p):
        if p.bool("drop_pending_updates"):
            self._updates.clear()
        self._webhook = {"url": ""}
        self._cond.notify_all()
        return True

    @api("getWebhookInfo")
    def _get_webhook_info(self, p):
        hook = self._webhook
        info = {"url": hook["url"], "has_custom_certificate": False, "pending_update_count": len(self._updates)}
        if hook["url"]:
            info |= _compact({"max_connections": hook["max_connections"], "ip_address": "127.0.0.1",
                              "allowed_updates": hook["allowed_updates"], "last_error_date": hook.get("error_date"),
                              "last_error_message": hook.get("error")})
        return info

    @api("sendMessage")
    def _send_message(self, p):
        text, entities = self._text(p, "text", 4096, "entities")
        if not text:
            raise bad_request("message text is empty")
        return self._bot_message(p, "sendMessage", text=text, entities=entities or None)

    @api("sendPhoto")
    def _send_photo(self, p):
        caption, entities = self._text(p, "caption", 1024, "caption_entities")
        photo = self._upload(p, "photo", lambda content: self._fake_photo(content))
        return self._bot_message(p, "sendPhoto", photo=photo, caption=caption or None,
                                 caption_entities=entities or None)

    @api("sendDocument")
    def _send_document(self, p):
        caption, entities = self._text(p, "caption", 1024, "caption_entities")
        upload = p.raw.get("document")
        name = upload["filename"] if isinstance(upload, dict) else "document"
        document = self._upload(p, "document", lambda content: {
            **self._fake_file("document", _suffix(name), len(content), content), "file_name": name})
        return self._bot_message(p, "sendDocument", document=document, caption=caption or None,
                                 caption_entities=entities or None)

    def _upload(self, p: Params, name: str, make: Callable[[bytes], Any]) -> Any:
        value = p.raw.get(name)
        if isinstance(value, dict):  # a multipart upload
            return make(value["content"])
        if not value:
            raise bad_request(f"there is no {name} in the request")
        if value.startswith(("http://", "https://")):
            return make(b"downloaded from " + value.encode())
        known = self._files.get(value)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return make(known["content"])

    @api("copyMessage")
    def _copy_message(self, p):
        source = self._source_message(p, "copy")
        content = {k: source[k] for k in MEDIA_KEYS + ("entities", "caption", "caption_entities") if k in source}
        if p.raw.get("caption") is not None and "text" not in source:
            content["caption"], content["caption_entities"] = self._text(p, "caption", 1024, "caption_entities")
        copied_from = {"chat_id": source["chat"]["id"], "message_id": source["message_id"]}
        message = self._bot_message(p, "copyMessage", copied_from=copied_from, **content)
        return {"message_id": message["message_id"]}

    @api("forwardMessage")
    def _forward_message(self, p):
        source = self._source_message(p, "forward")
        content = {k: source[k] for k in MEDIA_KEYS + ("entities", "caption", "caption_entities") if k in source}
        origin = source.get("forward_origin") or {"type": "user", "sender_user": source["from"],
                                                   "date": source["date"]}
        copied_from = {"chat_id": source["chat"]["id"], "message_id": source["message_id"]}
        return self._bot_message(p, "forwardMessage", copied_from=copied_from,
                                 forward_origin=origin, **content)

    @api("deleteMessage")
    def _delete_message(self, p):
        chat = self._chat(p)
        if self._messages.pop((chat["id"], p.int("message_id", required=True)), None) is None:
            raise bad_request("message to delete not found")
        return True

    @api("editMessageText")
    def _edit_message_text(self, p):
        message = self._editable(p)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(p, "text", 4096, "entities")
        if not text:
            raise bad_request("message text is empty")
        reply_markup, inline = self._markup(p)
        changes = {"text": text, "entities": entities or None, "reply_markup": inline}
        return self._store_edit("editMessageText", message, changes, reply_markup, p)

    @api("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, p):
        message = self._editable(p)
        reply_markup, inline = self._markup(p)
        return self._store_edit("editMessageReplyMarkup", message, {"reply_markup": inline}, reply_markup, p)

    @api("answerCallbackQuery")
    def _answer_callback_query(self, p):
        query_id = p.str("callback_query_id")
        if self._callback_queries.get(query_id, True):
            raise bad_request(BAD_QUERY)
        self._callback_queries[query_id] = True
        self._callback_answers.append(_compact({"callback_query_id": query_id, "text": p.str("text"),
                                                "show_alert": p.bool("show_alert"), "url": p.str("url")}))
        return True

    @api("createForumTopic")
    def _create_forum_topic(self, p):
        chat = self._forum(p)
        if not self.bot_can_manage_topics:
            raise bad_request("not enough rights to create a topic")
        name = (p.str("name") or "").strip()
        if not name:
            raise bad_request("Title must be non-empty")
        if len(name) > 128:
            raise bad_request("topic name must be 1-128 characters (fake; tdlib would truncate it)")
        topic = self._create_topic(chat["id"], name, p.int("icon_color", TOPIC_COLORS[0]), self.bot_user)
        return {k: topic[k] for k in ("message_thread_id", "name", "icon_color")}

    @api("editForumTopic")
    def _edit_forum_topic(self, p):
        chat_id, topic = self._topic(p)
        name = (p.str("name") or "").strip() or topic["name"]
        if len(name) > 128:
            raise bad_request("topic name must be 1-128 characters (fake; tdlib would truncate it)")
        if name == topic["name"] and not p.has("icon_custom_emoji_id"):
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["name"] = name
        self._service_in_topic(chat_id, topic, forum_topic_edited={"name": name})
        return True

    @api("closeForumTopic")
    def _close_forum_topic(self, p):
        return self._set_topic_closed(p, True)

    @api("reopenForumTopic")
    def _reopen_forum_topic(self, p):
        return self._set_topic_closed(p, False)

    def _set_topic_closed(self, p: Params, closed: bool) -> bool:
        chat_id, topic = self._topic(p)
        if topic["closed"] == closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic["closed"] = closed
        self._service_in_topic(chat_id, topic, **{
            "forum_topic_closed" if closed else "forum_topic_reopened": {}})
        return True

    @api("setMyCommands")
    def _set_my_commands(self, p):
        commands = p.json("commands", [])
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("too many commands (fake)" if isinstance(commands, list) else
                              "can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", "")).lstrip("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID (fake)")
        key = self._commands_key(p)
        if commands:
            self._commands[key] = [{"command": c["command"].lstrip("/"), "description": c["description"]}
                                   for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    @api("getMyCommands")
    def _get_my_commands(self, p):
        return self._commands.get(self._commands_key(p), [])

    @api("deleteMyCommands")
    def _delete_my_commands(self, p):
        self._commands.pop(self._commands_key(p), None)
        return True

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.json("scope") or {"type": "default"}
        language = p.str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified (fake)")
        parts = [scope.get("type", "default")] + [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
        return ":".join(parts), language

    @api("getChat")
    def _get_chat(self, p):
        chat = self._chat(p)
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11,
                "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                                        "premium_subscription": False, "gifts_from_channels": False}}

    @api("getChatMember")
    def _get_chat_member(self, p):
        chat = self._chat(p)
        user_id = p.int("user_id", required=True)
        if user_id == self.bot_user["id"]:
            status = "administrator" if chat["type"] != "private" else "member"
            return self._member_object(status, self.bot_user)
        if user_id not in self._users:
            raise bad_request("user not found")
        if chat["type"] == "private":
            status = "member" if user_id == chat["id"] else "left"
        else:
            status = self._members.get(chat["id"], {}).get(user_id, "left")
        return self._member_object(status, self._users[user_id])

    def _member_object(self, status: str, user: dict) -> dict:
        member = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        if status == "administrator":
            rights = ("can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
                      "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics")
            member |= {"can_be_edited": False, "is_anonymous": False, "can_promote_members": False,
                       "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False}
            member |= {right: True for right in rights}
            member["can_manage_topics"] = self.bot_can_manage_topics if user is self.bot_user else True
        return member

    @api("sendChatAction")
    def _send_chat_action(self, p):
        chat = self._writable_chat(p)
        action = p.str("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._chat_actions.append({"chat_id": chat["id"], "action": action,
                                   "message_thread_id": self._thread(chat, p)})
        return True

    @api("getFile")
    def _get_file(self, p):
        file = self._files.get(p.str("file_id") or "")
        if file is None:
            raise bad_request("invalid file_id")
        return {k: file[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    # ------------------------------------------------------------ HTTP plumbing

    def _call(self, token: str, method: str, params: dict) -> tuple[int, bytes]:
        """Answer one API request: (HTTP status, JSON body)."""
        handler = _METHODS.get(method.lower())
        with self._cond:
            try:
                if ":" not in token:
                    raise ApiError(404, "Not Found")
                if token != self.token:
                    raise ApiError(401, "Unauthorized")
                if handler is None:
                    raise ApiError(404, "Not Found")
                self._calls.append((method, params))
                fault = self._take_fault(method)
                if fault:
                    raise fault
                answer = {"ok": True, "result": handler(self, Params(params))}
            except ApiError as exc:
                answer = exc.body()
            except Exception as exc:  # a bug in the fake: say so rather than drop the connection
                traceback.print_exc()
                answer = ApiError(500, f"Internal Server Error (fake: {method} raised {exc!r})").body()
            return answer.get("error_code", 200), json.dumps(answer, ensure_ascii=False).encode()

    def _download(self, token: str, path: str) -> bytes | None:
        with self._cond:
            if token != self.token:
                return None
            return next((f["content"] for f in self._files.values() if f["file_path"] == path), None)

    def _webhook_loop(self) -> None:
        """Deliver queued updates to the webhook, one at a time and in order, retrying failures."""
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stopping or (self._webhook["url"] and self._updates))
                if self._stopping:
                    return
                hook, update = self._webhook, self._updates[0]
                body = json.dumps(update, ensure_ascii=False).encode()
            error = _post_json(hook["url"], body, hook.get("secret_token"))
            with self._cond:
                if self._webhook is hook:
                    if error is None:
                        self._updates = [u for u in self._updates if u["update_id"] > update["update_id"]]
                        self._cond.notify_all()
                    else:
                        hook.update(error_date=self._now(), error=error)
                if error is not None:
                    self._cond.wait_for(lambda: self._stopping, self.webhook_retry_delay)


_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post_json(url: str, body: bytes, secret_token: str | None) -> str | None:
    """POST an update the way Telegram does; returns an error text like getWebhookInfo's, or None."""
    headers = {"Content-Type": "application/json"}
    if secret_token:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
    try:
        with _NO_PROXY_OPENER.open(urllib.request.Request(url, body, headers, method="POST"), timeout=10):
            return None
    except urllib.error.HTTPError as exc:
        return f"Wrong response from the webhook: {exc.code} {exc.reason}"
    except (OSError, urllib.error.URLError) as exc:
        return f"Connection failed: {exc}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeTelegram

    def __init__(self, *args):
        self.connections: set[socket.socket] = set()
        super().__init__(*args)

    def process_request(self, request, client_address):
        self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        for connection in list(self.connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self):  # noqa: N802
        self._serve()

    do_POST = do_GET

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _serve(self) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)  # PTB quotes file paths, and with them the token's ':'
        body = self._read_body()
        if match := re.fullmatch(r"/bot([^/]*)/([A-Za-z_]+)/?", path):
            params = dict(parse_qsl(url.query, keep_blank_values=True))
            try:
                params |= _parse_body(body, self.headers.get("Content-Type", ""))
            except ValueError:
                status, payload = 400, ApiError(400, "Bad Request: can't parse request body (fake)").body()
                return self._reply(status, json.dumps(payload).encode())
            return self._reply(*self.server.fake._call(match[1], match[2], params))
        if match := re.fullmatch(r"/file/bot([^/]*)/(.+)", path):
            content = self.server.fake._download(match[1], match[2])
            if content is not None:
                return self._reply(200, content, "application/octet-stream")
        self._reply(404, json.dumps(ApiError(404, "Not Found").body()).encode())

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _reply(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _parse_body(body: bytes, content_type: str) -> dict:
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        return data
    if kind == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        fields = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            content = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            fields[name] = {"filename": filename, "content": content} if filename else content.decode()
        return fields
    return dict(parse_qsl(body.decode(), keep_blank_values=True))
