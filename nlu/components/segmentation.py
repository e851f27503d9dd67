"""Split text into words: ICU dictionary word-breaking for scripts written without spaces
(Thai, Lao, Khmer, Burmese), whitespace and punctuation for every other script.

Pure functions, no Rasa imports, so the app's tests can check them on their own.
"""

from __future__ import annotations

import re
import unicodedata

import icu

# Unicode blocks of the scripts that do not separate words with spaces.
_UNSPACED = re.compile(r"[\u0E00-\u0E7F\u0E80-\u0EFF\u1780-\u17FF\u19E0-\u19FF\u1000-\u109F\uAA60-\uAA7F\uA9E0-\uA9FF]")
_CHUNK = re.compile(r"\S+")
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)


def is_unspaced(text: str) -> bool:
    return bool(_UNSPACED.search(text))


def words(text: str) -> list[tuple[str, int]]:
    """(word, start offset) for every word in `text`, in order."""
    out: list[tuple[str, int]] = []
    for chunk in _CHUNK.finditer(text):
        if is_unspaced(chunk.group()):
            out.extend((w, chunk.start() + i) for w, i in _icu_words(chunk.group()))
        else:
            out.extend((m.group(), chunk.start() + m.start()) for m in _latin_words(chunk.group()))
    return out


def _latin_words(chunk: str):
    # Python's \w excludes combining marks; keep them with the letters they follow.
    return re.finditer(r"(?:[^\W_]|[\u0300-\u036F])+(?:['’\-](?:[^\W_]|[\u0300-\u036F])+)*", chunk)


def _icu_words(chunk: str) -> list[tuple[str, int]]:
    breaker = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    breaker.setText(chunk)
    out = []
    start = 0
    # ICU reports offsets in UTF-16 code units; map them back to Python indices.
    utf16_to_py = _utf16_index(chunk)
    for end16 in breaker:
        end = utf16_to_py[end16]
        piece = chunk[start:end]
        if any(unicodedata.category(c)[0] in "LN" for c in piece):
            out.append((piece, start))
        start = end
    return out


def _utf16_index(text: str) -> dict[int, int]:
    index = {0: 0}
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        index[units] = i + 1
    return index
