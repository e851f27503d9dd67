"""Find countries, schemes and sectors (job or status) in a message from a list of names (the gazetteer).

Latin-script names match whole words, ignoring case and diacritics ("Viet Nam" =
"viet nam"); names in Thai, Lao, Khmer, Burmese and Chinese scripts match anywhere.
The longest name wins. Where the message itself carries diacritics, they must agree
with the name ("hạn" is not "Hàn"), and phrases listed under `ignore` ("có thai",
"lao động") never count as a name. A country is given the role `home` when it is named by a
demonym ("Indonesian") or right after a home cue ("from", "dari", "pulang ke"), and
`host` right after a host cue ("in", "di", "sa"). Pure Python, no Rasa imports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LATIN = re.compile(r"^[\sA-Za-z0-9\u00C0-\u024F\u1E00-\u1EFF.'’&\-]+$")


@dataclass(frozen=True)
class Match:
    entity: str
    value: str
    start: int
    end: int
    text: str
    role: str | None = None


def fold(text: str) -> str:
    """Lower case without Latin diacritics; other scripts unchanged. Keeps one char per input char."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        if base.isascii() and len(decomposed) > 1:
            out.append(base.lower())
        elif "\u0300" <= ch <= "\u036f":
            out.append(" ")  # a loose combining mark after a Latin letter
        else:
            lowered = ch.lower()
            out.append(lowered if len(lowered) == 1 else ch)
    return "".join(out)


def _accents(text: str) -> str:
    """Lower case, composed, with whitespace and hyphens squeezed: how accents are compared."""
    return re.sub(r"[\s\-]+", " ", unicodedata.normalize("NFC", text).lower()).strip()


def _has_accents(text: str) -> bool:
    return any("\u00C0" <= c <= "\u024F" or "\u1E00" <= c <= "\u1EFF" for c in text)


def _pattern(term: str) -> str:
    folded = re.escape(fold(term).strip())
    folded = re.sub(r"(\\ )+", r"[\\s\\-]*", folded) if _LATIN.match(term) else folded
    return rf"(?<![^\W_]){folded}(?![^\W_])" if _LATIN.match(term) else folded


class Gazetteer:
    def __init__(self, data: dict):
        self._entries: dict[str, tuple[str, str, bool]] = {}  # folded term -> (entity, value, is_demonym)
        self._spellings: dict[str, set[str]] = {}  # folded term -> its spellings, lower case
        for code, forms in (data.get("country") or {}).items():
            for term in forms.get("names") or []:
                self._add(str(term), "country", code, False)
            for term in forms.get("demonyms") or []:
                self._add(str(term), "country", code, True)
        for entity in ("scheme", "sector"):
            for code, terms in (data.get(entity) or {}).items():
                for term in terms or []:
                    self._add(str(term), entity, code, False)
        terms = sorted(self._entries, key=len, reverse=True)
        self._regex = re.compile("|".join(f"(?P<t{i}>{_pattern(t)})" for i, t in enumerate(terms)))
        self._names = {f"t{i}": t for i, t in enumerate(terms)}
        cues = data.get("country_cues") or {}
        self._cues = {role: self._cue_regex(cues.get(role) or []) for role in ("home", "host")}
        ignore = sorted({fold(str(p)).strip() for p in data.get("ignore") or [] if str(p).strip()}, key=len, reverse=True)
        self._ignore = re.compile("|".join(_pattern(p) for p in ignore)) if ignore else None

    def _add(self, term: str, entity: str, value: str, demonym: bool) -> None:
        key = fold(term).strip()
        if key and key not in self._entries:
            self._entries[key] = (entity, value, demonym)
        if key:
            self._spellings.setdefault(key, set()).add(_accents(term))

    @staticmethod
    def _cue_regex(cues: list[str]) -> re.Pattern | None:
        if not cues:
            return None
        parts = sorted({fold(str(c)).strip() for c in cues if str(c).strip()}, key=len, reverse=True)
        alternatives = "|".join(
            (rf"(?<![^\W_]){re.escape(p)}" if _LATIN.match(p) else re.escape(p)) for p in parts
        )
        return re.compile(rf"(?:{alternatives})[\s\-]*$")

    def find(self, text: str) -> list[Match]:
        folded = fold(text)
        ignored = [(m.start(), m.end()) for m in self._ignore.finditer(folded)] if self._ignore else []
        matches: list[Match] = []
        for m in self._regex.finditer(folded):
            key = self._names[m.lastgroup]
            if any(start <= m.start() and m.end() <= end for start, end in ignored):
                continue
            if not self._accents_agree(key, text[m.start() : m.end()]):
                continue
            entity, value, demonym = self._entries[key]
            role = None
            if entity == "country":
                role = "home" if demonym else self._role_before(folded[: m.start()]) or self._role_inside(key)
            matches.append(Match(entity, value, m.start(), m.end(), text[m.start() : m.end()], role))
        return matches

    def _accents_agree(self, key: str, span: str) -> bool:
        written = _accents(span)
        accented = [spelling for spelling in self._spellings[key] if _has_accents(spelling)]
        return not _has_accents(written) or not accented or written in accented

    def _role_inside(self, key: str) -> str | None:
        """The role of a name that starts with its own cue ("ở Hàn", "ในมาเล")."""
        latin = bool(_LATIN.match(key))
        for cut in range(len(key) - 1, 0, -1):
            if latin and not key[cut - 1].isspace():
                continue
            role = self._role_before(key[:cut])
            if role:
                return role
        return None

    def _role_before(self, before: str) -> str | None:
        tail = before[-40:]
        best: tuple[int, str] | None = None
        for role, regex in self._cues.items():
            if regex is None:
                continue
            found = regex.search(tail)
            if found and (best is None or found.end() - found.start() > best[0]):
                best = (found.end() - found.start(), role)
        return best[1] if best else None
