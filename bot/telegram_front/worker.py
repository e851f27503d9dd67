"""Handlers for workers in private chats: translate the update, call the service, send the replies."""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.nlu_client import Entity, Parse
from bot.service import Homeward, Result, worker_tag
from bot.telegram_front.format import country_keyboard, intent_keyboard, language_keyboard, sector_keyboard, split, to_html

log = logging.getLogger(__name__)
MEDIA_KINDS = ("photo", "sticker", "voice", "audio", "video", "video_note", "document", "location", "contact", "animation")


def worker_id(update: Update) -> str:
    return f"tg:{update.effective_chat.id}"


def media_kind(message: Message) -> str | None:
    return next((kind for kind in MEDIA_KINDS if getattr(message, kind, None)), None)


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: the language menu first; the greeting follows the choice."""
    await update.effective_chat.send_message("🌏 Choose your language / Pilih bahasa / ภาษา / ဘာသာစကား", reply_markup=language_keyboard())


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A worker's text message or command (other than /start)."""
    message = update.effective_message
    result = await _service_call(context, worker_id(update), message.text or "", source=(message.chat_id, message.message_id))
    await send_result(update, context, result)


async def on_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, locations, files: relayed during a hand-off, otherwise explained."""
    message = update.effective_message
    result = await _service_call(
        context, worker_id(update), message.caption or "", media=media_kind(message) or "file",
        source=(message.chat_id, message.message_id),
    )
    await send_result(update, context, result)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: a language, a country, or a follow-up question."""
    query = update.callback_query
    await query.answer()
    kind, _, value = (query.data or "").partition(":")
    service: Homeward = context.bot_data["service"]
    wid = worker_id(update)
    if kind == "lang":
        result = await asyncio.to_thread(service.choose_language, wid, value)
    elif kind in ("home", "host"):
        parse = Parse("inform_profile", 1.0, (Entity("country", value, kind),))
        result = await _service_call(context, wid, "", parse=parse)
    elif kind == "sector":
        result = await _service_call(context, wid, "", parse=Parse("inform_profile", 1.0, (Entity("sector", value),)))
    elif kind == "intent":
        result = await _service_call(context, wid, "", parse=Parse(value, 1.0))
    else:
        return
    await send_result(update, context, result)


async def on_staff_command_in_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff command sent to the bot in a private chat."""
    service: Homeward = context.bot_data["service"]
    lang = await asyncio.to_thread(service.language_of, worker_id(update))
    await update.effective_chat.send_message(to_html(service.render("staff_only", lang)), parse_mode="HTML")


async def _service_call(context: ContextTypes.DEFAULT_TYPE, wid: str, text: str, **kwargs) -> Result:
    service: Homeward = context.bot_data["service"]
    desk = context.bot_data["desk"]
    await asyncio.to_thread(desk.worker_wrote, wid)
    return await asyncio.to_thread(service.handle, wid, text, **kwargs)


async def send_result(update: Update, context: ContextTypes.DEFAULT_TYPE, result: Result) -> None:
    """Send every reply, split under Telegram's limit, with buttons on the last part of the last reply."""
    markup = _keyboard(context.bot_data["service"], result)
    chat = update.effective_chat
    try:
        for i, text in enumerate(result.texts):
            parts = split(text)
            for j, part in enumerate(parts):
                last = i == len(result.texts) - 1 and j == len(parts) - 1
                await chat.send_message(to_html(part), parse_mode="HTML", reply_markup=markup if last else None)
    except Forbidden:
        log.info("worker %s has blocked the bot", worker_tag(worker_id(update)))
    await context.bot_data["relay"].run(context.bot)


def _keyboard(service: Homeward, result: Result):
    last = result.keys[-1] if result.keys else None
    lang = result.lang
    if last in ("ask_home", "ask_host"):
        return country_keyboard(last.removeprefix("ask_"), lambda code: service.kb.country_name(code, lang))
    if last == "language_menu":
        return language_keyboard()
    if last == "ask_sector":
        return sector_keyboard(lambda code: service.render(f"sector_{code}", lang, note=False))
    if last in ("offer_person", "confirm_forget"):
        return intent_keyboard([(service.render("button_yes", lang, note=False), "affirm"), (service.render("button_no", lang, note=False), "deny")])
    if last == "answer":
        return intent_keyboard([
            (service.render("button_documents", lang, note=False), "ask_claim_howto"),
            (service.render("button_person", lang, note=False), "request_human"),
        ])
    return None
