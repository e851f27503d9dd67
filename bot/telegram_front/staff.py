"""Handlers for hotline staff in the staff supergroup, one forum topic per case.

In a case's topic: plain messages go to the worker (without the staff member's name
unless they turned on /sign); /claim, /close, /note, /transfer @name act on the case.
Anywhere in the group: /cases lists open cases, urgent and oldest first. Only members
of the group and configured admins may act.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.cases import CaseDesk, CaseView
from bot.knowledge.loader import KnowledgeError
from bot.models import utcnow
from bot.service import Homeward
from bot.telegram_front.format import split, to_html

log = logging.getLogger(__name__)
STAFF_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER, ChatMemberStatus.RESTRICTED}


async def _status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The sender's standing in the staff group: "admin" for configured admins, else Telegram's status."""
    user = update.effective_user
    if user is None:
        return None
    if user.id in context.bot_data["admins"]:
        return "admin"
    try:
        member = await context.bot.get_chat_member(context.bot_data["staff_chat_id"], user.id)
    except TelegramError:
        return None
    return member.status


async def is_staff(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return await _status(update, context) in STAFF_STATUSES | {"admin"}


async def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    return await _status(update, context) in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, "admin")


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    for part in split(text):
        await message.reply_text(to_html(part), parse_mode="HTML")


async def _case_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> CaseView | None:
    """The case whose topic this message is in, after checking the sender is staff."""
    if not await is_staff(update, context):
        await _reply(update, "Only hotline staff can act on cases.")
        return None
    thread = update.effective_message.message_thread_id if update.effective_message.is_topic_message else None
    case = await asyncio.to_thread(context.bot_data["desk"].for_topic, thread) if thread else None
    if case is None:
        await _reply(update, "Use this inside a case's topic.")
    return case


def _who(update: Update) -> str:
    user = update.effective_user
    return f"@{user.username}" if user.username else user.first_name


async def on_staff_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff member writes in a case's topic: it goes to the worker."""
    message = update.effective_message
    if not message.is_topic_message or not await is_staff(update, context):
        return
    desk: CaseDesk = context.bot_data["desk"]
    case = await asyncio.to_thread(desk.for_topic, message.message_thread_id)
    if case is None:
        return
    if case.state == "closed":
        await _reply(update, "This case is closed; the worker will not see this.")
        return
    if await asyncio.to_thread(desk.has_source, message.chat_id, message.message_id):
        return  # a replayed update: this message is already on the case
    signed = update.effective_user.first_name if await asyncio.to_thread(desk.sign_replies, update.effective_user.id) else None
    text = message.text or message.caption or f"[{'photo' if message.photo else 'attachment'}]"
    await asyncio.to_thread(desk.add, case.id, "staff", text, (message.chat_id, message.message_id), signed)
    await context.bot_data["relay"].run(context.bot)


async def on_claim(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/claim: this case is mine."""
    case = await _case_here(update, context)
    if case:
        await asyncio.to_thread(context.bot_data["desk"].claim, case.id, _who(update))
        await _reply(update, f"Case #{case.id} claimed by {_who(update)}.")


async def on_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/close: the bot takes over again and tells the worker."""
    case = await _case_here(update, context)
    if not case:
        return
    service: Homeward = context.bot_data["service"]
    notice = service.render("case_closed", case.lang or "en", {"case_id": case.id})
    await asyncio.to_thread(context.bot_data["desk"].close, case.id, notice)
    await context.bot_data["relay"].run(context.bot)
    await _reply(update, f"Case #{case.id} closed by {_who(update)}. The bot answers the worker again.")
    try:
        await context.bot.close_forum_topic(update.effective_chat.id, case.topic_id)
    except TelegramError as exc:
        log.info("could not close topic of case %s: %s", case.id, exc)


async def on_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/note TEXT: kept on the case, never sent to the worker."""
    case = await _case_here(update, context)
    if not case:
        return
    text = " ".join(context.args or [])
    if not text:
        await _reply(update, "Usage: /note TEXT")
        return
    await asyncio.to_thread(context.bot_data["desk"].add, case.id, "note", f"{_who(update)}: {text}")
    await _reply(update, "Note kept on the case (not sent to the worker).")


async def on_transfer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/transfer @name: hand the case to a colleague."""
    case = await _case_here(update, context)
    if not case:
        return
    if not context.args or not context.args[0].startswith("@"):
        await _reply(update, "Usage: /transfer @name")
        return
    await asyncio.to_thread(context.bot_data["desk"].transfer, case.id, context.args[0])
    await _reply(update, f"Case #{case.id} transferred to {context.args[0]} by {_who(update)}.")


async def on_sign(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sign: show or hide my first name under my replies to workers."""
    if not await is_staff(update, context):
        await _reply(update, "Only hotline staff can act on cases.")
        return
    signing = await asyncio.to_thread(context.bot_data["desk"].toggle_signing, update.effective_user.id)
    await _reply(update, "Your first name is now shown to workers." if signing else "Your replies now reach workers without your name.")


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: validate the knowledge files and swap them in; a bad file leaves the old knowledge in place."""
    if not await is_admin(update, context):
        await _reply(update, "Only administrators of the staff group can reload the knowledge base.")
        return
    try:
        facts = await asyncio.to_thread(context.bot_data["reload_knowledge"])
    except KnowledgeError as exc:
        await _reply(update, f"Not reloaded — the knowledge base has problems; the old knowledge stays in use:\n{exc}")
        return
    await _reply(update, f"Knowledge base reloaded: {facts} facts.")


async def on_cases(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cases: open cases, urgent first, then oldest."""
    if not await is_staff(update, context):
        await _reply(update, "Only hotline staff can act on cases.")
        return
    cases = await asyncio.to_thread(context.bot_data["desk"].open_cases)
    now = utcnow()
    lines = [
        f"{'🚨 ' if c.urgent else ''}#{c.id} {c.topic_name().split(' ', 1)[1]} · waiting {c.waiting(now)} · "
        f"{c.claimed_by or 'unclaimed'}{' · worker blocked the bot' if c.worker_blocked else ''}"
        for c in cases
    ]
    await _reply(update, "\n".join(["Open cases:", *lines]) if lines else "No open cases.")
