"""Clean up what a worker typed before anything reads it: Unicode normalisation,
Burmese Zawgyi converted to Unicode, and a bound on length."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

MAX_NLU_CHARS = 1000  # what the NLU model reads; longer messages are kept whole elsewhere
_BURMESE = range(0x1000, 0x10A0)


@lru_cache(maxsize=1)
def _zawgyi_tools():
    import icu
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector(), icu.Transliterator.createInstance("Zawgyi-my")


def is_zawgyi(text: str) -> bool:
    if not any(ord(c) in _BURMESE for c in text):
        return False
    detector, _ = _zawgyi_tools()
    return detector.get_zawgyi_probability(text) > 0.999  # short Unicode words can score 0.98


def to_unicode_burmese(text: str) -> str:
    """Convert Zawgyi-encoded Burmese to Unicode; other text is returned unchanged."""
    if not is_zawgyi(text):
        return text
    _, converter = _zawgyi_tools()
    return converter.transliterate(text)


def normalise(text: str) -> str:
    """The form of a message that NLU and language identification read."""
    text = to_unicode_burmese(text or "")
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())[:MAX_NLU_CHARS]


def has_words(text: str) -> bool:
    """True when the message has at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(c)[0] in "LN" for c in text)
