"""Build the python-telegram-bot Application in one place: handlers, the update log, jobs, commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from urllib.parse import urlparse

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.app import knowledge_from_db, load_knowledge_into_db
from bot.cases import CaseDesk, CaseView
from bot.language import LANGUAGES, NATIVE_NAMES
from bot.service import Homeward
from bot.settings import Settings
from bot.telegram_front import staff, worker
from bot.telegram_front.relay import Relay

log = logging.getLogger(__name__)
WORKER_COMMANDS = ("help", "language", "profile", "human", "status", "forget")
STAFF_COMMANDS = ("claim", "close", "note", "transfer", "cases", "sign", "reload")
RELAY_EVERY = 10  # seconds between retries of relays that failed
RAISE_EVERY = 60


def case_summary(service: Homeward, case: CaseView, messages: list[str]) -> str:
    """The opening post of a case's topic: everything staff need without asking again."""
    name = lambda code: service.kb.country_name(code, "en") if code else "not given"  # noqa: E731
    lines = [
        f"{'🚨 URGENT — ' if case.urgent else ''}Case #{case.id}: {case.reason.replace('_', ' ')}",
        f"Language: {NATIVE_NAMES.get(case.lang or 'en', case.lang)} ({case.lang})",
        f"From {name(case.home)}, working in {name(case.host)}",
        f"Intents so far: {', '.join(case.intents) or 'none'}",
        "",
        "Recent messages from the worker:",
    ]
    lines += [f"› {text}" for text in messages]
    lines += ["", "Reply here to write to the worker. /claim · /note TEXT · /transfer @name · /close · /sign"]
    return "\n".join(lines)


def reload_knowledge(settings: Settings, service: Homeward) -> int:
    """Validate and load the knowledge files, then swap them into the running service."""
    facts, _ = load_knowledge_into_db(settings, force=True, engine=service.sessions.kw["bind"])
    service.use_knowledge(knowledge_from_db(service.sessions))
    return facts


def build_application(settings: Settings, service: Homeward, desk: CaseDesk) -> Application:
    builder = Application.builder().token(settings.telegram_bot_token).post_init(_post_init)
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url).base_file_url(settings.telegram_base_url.replace("/bot", "/file/bot"))
    app = builder.build()
    app.bot_data.update(
        service=service,
        desk=desk,
        staff_chat_id=settings.staff_chat_id,
        admins=set(settings.staff_admins),
        relay=Relay(desk, settings.staff_chat_id, lambda case, messages: case_summary(service, case, messages)),
        escalate_after=dt.timedelta(minutes=settings.escalate_after_minutes),
        reload_knowledge=lambda: reload_knowledge(settings, service),
    )
    app.add_handler(TypeHandler(Update, _record_update), group=-1)
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE  # an edited message is not a new one
    app.add_handler(CommandHandler("start", worker.on_start, filters=private))
    app.add_handler(CommandHandler(list(STAFF_COMMANDS), worker.on_staff_command_in_private, filters=private))
    app.add_handler(MessageHandler(private & filters.TEXT, worker.on_text))
    app.add_handler(MessageHandler(private & ~filters.TEXT, worker.on_media))
    app.add_handler(CallbackQueryHandler(worker.on_button))
    if settings.staff_chat_id is not None:
        group = filters.Chat(chat_id=settings.staff_chat_id) & filters.UpdateType.MESSAGE
        for name, callback in (("claim", staff.on_claim), ("close", staff.on_close), ("note", staff.on_note),
                               ("transfer", staff.on_transfer), ("cases", staff.on_cases), ("sign", staff.on_sign),
                               ("reload", staff.on_reload)):
            app.add_handler(CommandHandler(name, callback, filters=group))
        app.add_handler(MessageHandler(group & ~filters.COMMAND & ~filters.StatusUpdate.ALL, staff.on_staff_message))
    app.add_handler(TypeHandler(Update, _update_done), group=99)
    app.add_error_handler(_on_error)
    app.job_queue.run_repeating(_relay_job, interval=RELAY_EVERY, first=1, name="relay")
    if settings.staff_chat_id is not None:
        app.job_queue.run_repeating(_raise_job, interval=RAISE_EVERY, first=RAISE_EVERY, name="raise-waiting-cases")
    return app


async def _post_init(app: Application) -> None:
    """Register commands per language and replay updates a crash left unfinished."""
    service: Homeward = app.bot_data["service"]
    for lang in LANGUAGES:
        commands = [BotCommand(c, service.render(f"command_{c}", lang, note=False)) for c in WORKER_COMMANDS]
        await app.bot.set_my_commands(commands, language_code=None if lang == "en" else lang)
    if app.bot_data["staff_chat_id"] is None:
        log.warning("HOMEWARD_STAFF_CHAT_ID is not set: hand-offs are recorded as cases, and workers are told a person will follow up")
    for payload in await asyncio.to_thread(app.bot_data["desk"].unfinished_updates):
        await app.update_queue.put(Update.de_json(payload, app.bot))


async def _record_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record every update before acting on it; an update already done is not processed again."""
    fresh = await asyncio.to_thread(context.bot_data["desk"].record_update, update.update_id, update.to_dict())
    if not fresh:
        log.info("update %s was already processed", update.update_id)
        raise ApplicationHandlerStop


async def _update_done(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await asyncio.to_thread(context.bot_data["desk"].update_done, update.update_id)


async def _relay_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot_data["relay"].run(context.bot)


async def _raise_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.bot_data["relay"].raise_waiting(context.bot, context.bot_data["escalate_after"])


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log first; tell the worker in their language. The update stays unfinished in the update log,
    so it is tried again at the next start (ApplicationHandlerStop skips marking it done)."""
    log.error("error while handling an update: %s", type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        service: Homeward = context.bot_data["service"]
        lang = await asyncio.to_thread(service.language_of, f"tg:{update.effective_chat.id}")
        try:
            await update.effective_chat.send_message(service.render("error", lang))
        except Exception:  # noqa: BLE001 - the error handler must not raise
            log.warning("could not tell the worker about the error")
    raise ApplicationHandlerStop


def webhook_options(settings: Settings) -> dict:
    """Where the webhook server listens and what Telegram is told; PTB rejects calls without the secret."""
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(settings.webhook_url).path.lstrip("/") or "telegram",
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret or secrets.token_urlsafe(32),
        "allowed_updates": Update.ALL_TYPES,
    }


def run(settings: Settings, service: Homeward, desk: CaseDesk) -> None:
    """Serve until stopped: long polling, or a webhook when HOMEWARD_WEBHOOK_URL is set."""
    app = build_application(settings, service, desk)
    if settings.webhook_url:
        app.run_webhook(**webhook_options(settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
