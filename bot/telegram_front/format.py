"""Turn rendered replies into Telegram messages: HTML-escaped, split under the length limit, with buttons."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.knowledge.schema import ASEAN, SECTORS
from bot.language import NATIVE_NAMES

LIMIT = 4000  # under Telegram's 4,096 characters, leaving room for escaping differences


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Split at paragraph, then line, then word boundaries so each part fits `limit`."""
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return [p.strip() for p in parts if p.strip()] or [text[:limit]]


def _pieces(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            out.append(line[:cut])
            line = line[cut:].lstrip()
        out.append(line)
    return out


def to_html(text: str) -> str:
    return html.escape(text, quote=False)


def language_keyboard() -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(name, callback_data=f"lang:{code}") for code, name in NATIVE_NAMES.items()]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def country_keyboard(slot: str, name_of) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(name_of(code), callback_data=f"{slot}:{code}") for code in ASEAN]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def sector_keyboard(label_of) -> InlineKeyboardMarkup:
    codes = (*SECTORS, "other")
    buttons = [InlineKeyboardButton(label_of(code), callback_data=f"sector:{code}") for code in codes]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def intent_keyboard(pairs: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"intent:{intent}") for label, intent in pairs]])
