"""Render replies from the Jinja2 templates in `responses/<lang>/<key>.j2`.

A key missing in the worker's language falls back to English with a short note in
the worker's language (`responses/<lang>/_fallback_note.j2`, itself falling back).
Templates render with StrictUndefined, so a typo in a template fails loudly in tests.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.language import LANGUAGES, NATIVE_NAMES
from bot.settings import PROJECT_ROOT

RESPONSES_DIR = PROJECT_ROOT / "responses"


class Responder:
    def __init__(self, kb: KnowledgeSnapshot, root: Path = RESPONSES_DIR):
        self.kb = kb
        self.root = root
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(root),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            autoescape=False,
        )

    def keys(self, lang: str = "en") -> set[str]:
        return {p.stem for p in (self.root / lang).glob("*.j2")}

    def has(self, lang: str, key: str) -> bool:
        return (self.root / lang / f"{key}.j2").exists()

    def render(self, key: str, lang: str, data: dict | None = None, note: bool = True) -> str:
        """Render `key` in `lang`; a missing translation falls back to English, with a note unless `note` is False."""
        lang = lang if lang in LANGUAGES else "en"
        used = lang if self.has(lang, key) else "en"
        context = {
            **(data or {}),
            "lang": lang,
            "country": lambda code: self.kb.country_name(code, lang) if code else "?",
            "scheme": lambda scheme_id: self.kb.scheme_name(scheme_id, lang),
            "native_names": NATIVE_NAMES,
        }
        text = self._env.get_template(f"{used}/{key}.j2").render(context).strip()
        if used != lang and note:
            note = self.render("_fallback_note", lang) if self.has(lang, "_fallback_note") else ""
            text = f"{note}\n{text}".strip()
        return _tidy(text)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out).strip()
