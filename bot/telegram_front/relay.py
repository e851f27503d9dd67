"""Carry case messages between workers and the staff group, until each has arrived.

Runs after every update and on a JobQueue timer, so a relay that failed (network,
Telegram down, a restart) is tried again. A worker who has blocked the bot is noted
in the case's topic instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.cases import TO_STAFF, CaseDesk, CaseView, PendingRelay
from bot.models import utcnow
from bot.telegram_front.format import split, to_html

log = logging.getLogger(__name__)
BLOCKED_NOTE = "⚠️ The worker has blocked the bot: messages cannot reach them until they write again."
GIVE_UP_AFTER = 5  # Telegram refused the same message this often (not a network or flood problem)


def worker_chat(worker_id: str) -> int:
    return int(worker_id.removeprefix("tg:"))


class Relay:
    def __init__(self, desk: CaseDesk, staff_chat_id: int | None, summary):
        self.desk = desk
        self.staff_chat_id = staff_chat_id
        self.summary = summary  # (case, the worker's messages so far) -> the opening post of its topic
        self._lock = asyncio.Lock()

    async def run(self, bot: Bot) -> None:
        """Open topics for new cases, then deliver every pending case message once, in order per case.
        A network or flood-control error stops this round (the next one retries, nothing is counted);
        a message Telegram keeps refusing is reported in the topic after GIVE_UP_AFTER tries."""
        async with self._lock:
            if self.staff_chat_id is not None:
                for case in await asyncio.to_thread(self.desk.needing_topic):
                    if not await self._open_topic(bot, case):
                        return
            held: set[int] = set()  # cases with an undelivered earlier message: keep their order
            for item in await asyncio.to_thread(self.desk.pending):
                if item.case.id in held:
                    continue
                outcome = await self._deliver(bot, item)
                if outcome == "retry-later":
                    return
                if outcome == "held":
                    held.add(item.case.id)

    async def _open_topic(self, bot: Bot, case: CaseView) -> bool:
        try:
            topic = await bot.create_forum_topic(self.staff_chat_id, case.topic_name())
        except TelegramError as exc:
            log.warning("could not open a topic for case %s: %s", case.id, exc)
            return not _transient(exc)
        await asyncio.to_thread(self.desk.topic_opened, case.id, topic.message_thread_id, lambda texts: self.summary(case, texts))
        log.info("case %s has topic %s", case.id, topic.message_thread_id)
        if case.urgent:
            try:
                await bot.send_message(self.staff_chat_id, to_html(f"🚨 Urgent case {case.topic_name()} needs a person now."), parse_mode="HTML")
            except TelegramError as exc:
                log.warning("could not announce urgent case %s: %s", case.id, exc)
        return True

    async def _deliver(self, bot: Bot, item: PendingRelay) -> str:
        try:
            if item.sender in TO_STAFF:
                await self._to_staff(bot, item)
            else:
                await self._to_worker(bot, item)
        except Forbidden as exc:
            await asyncio.to_thread(self.desk.relay_failed, item.message_id, f"forbidden: {exc}")
            if item.sender in ("staff", "bot") and await asyncio.to_thread(self.desk.worker_blocked, item.case.id, True):
                await asyncio.to_thread(self.desk.add, item.case.id, "event", BLOCKED_NOTE)
            return "held"
        except BadRequest as exc:
            log.warning("Telegram refused case message %s: %s", item.message_id, exc)
            attempts = await asyncio.to_thread(self.desk.relay_failed, item.message_id, str(exc))
            if attempts >= GIVE_UP_AFTER:
                await asyncio.to_thread(self.desk.give_up, item.message_id, f"⚠️ A {item.sender} message could not be delivered ({exc}).")
                return "delivered"
            return "held"
        except TelegramError as exc:  # network, time-out, flood control: try the whole round again later
            log.warning("relay paused: %s", exc)
            return "retry-later"
        await asyncio.to_thread(self.desk.relayed, item.message_id)
        return "delivered"

    async def _to_staff(self, bot: Bot, item: PendingRelay) -> None:
        thread = item.case.topic_id
        if item.sender == "worker" and item.source_message_id is not None:
            await bot.copy_message(self.staff_chat_id, item.source_chat_id, item.source_message_id, message_thread_id=thread)
        else:
            prefix = "Worker: " if item.sender == "worker" else ""
            for part in split(prefix + item.text):
                await bot.send_message(self.staff_chat_id, to_html(part), parse_mode="HTML", message_thread_id=thread)

    async def _to_worker(self, bot: Bot, item: PendingRelay) -> None:
        chat = worker_chat(item.case.worker_id)
        if item.sender == "staff" and item.source_message_id is not None and not item.signed_by:
            await bot.copy_message(chat, item.source_chat_id, item.source_message_id)
            return
        text = f"{item.text}\n\n— {item.signed_by}" if item.signed_by else item.text
        for part in split(text):
            await bot.send_message(chat, to_html(part), parse_mode="HTML")

    async def raise_waiting(self, bot: Bot, after: dt.timedelta) -> None:
        """Raise unclaimed cases again in their topic once they have waited `after`."""
        now = utcnow()
        for case in await asyncio.to_thread(self.desk.to_raise, now, after):
            try:
                await bot.send_message(
                    self.staff_chat_id, to_html(f"⏰ Case #{case.id} has waited {case.waiting(now)} and nobody has claimed it. /claim"),
                    parse_mode="HTML", message_thread_id=case.topic_id,
                )
            except TelegramError as exc:
                log.warning("could not raise case %s: %s", case.id, exc)
                continue
            await asyncio.to_thread(self.desk.raised, case.id, now)


def _transient(exc: TelegramError) -> bool:
    return not isinstance(exc, (BadRequest, Forbidden))
