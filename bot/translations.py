"""What is not yet translated: reply templates and knowledge-base texts, per language."""

from __future__ import annotations

from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.snapshot import merged_texts
from bot.language import LANGUAGES
from bot.responses import RESPONSES_DIR

# Keys whose text is the same in every language.
SAME_EVERYWHERE = {"_sources"}


def missing_templates(root=RESPONSES_DIR) -> dict[str, list[str]]:
    """lang -> keys that are missing, or identical to English (untranslated)."""
    english = {p.stem: p.read_text(encoding="utf-8") for p in (root / "en").glob("*.j2")}
    out: dict[str, list[str]] = {}
    for lang in LANGUAGES[1:]:
        folder = root / lang
        missing = []
        for key, text in sorted(english.items()):
            path = folder / f"{key}.j2"
            if not path.exists() or (key not in SAME_EVERYWHERE and path.read_text(encoding="utf-8") == text):
                missing.append(key)
        if missing:
            out[lang] = missing
    return out


def missing_facts(kb: KnowledgeBase) -> dict[str, list[str]]:
    """lang -> ids of facts with no text in that language."""
    out: dict[str, list[str]] = {}
    for file in kb.files:
        for fact in file.facts:
            texts, _ = merged_texts(kb, fact)
            for lang in LANGUAGES:
                if lang not in texts:
                    out.setdefault(lang, []).append(fact.id)
    return out
