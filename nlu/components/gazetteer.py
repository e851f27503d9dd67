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


def _squeeze(folded: str) -> tuple[str, list[int]]:
    """Collapse runs of whitespace and hyphens to one space; also return each kept char's index."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(folded):
        if ch.isspace() or ch == "-":
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


def _key(term: str) -> str:
    return _squeeze(fold(term))[0].strip()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or "\u0300" <= ch <= "\u036f"


class _Trie:
    """Longest-match lookup of many terms at one position of a text."""

    def __init__(self) -> None:
        self.root: dict = {}

    def add(self, key: str, value) -> None:
        node = self.root
        for ch in key:
            node = node.setdefault(ch, {})
        node.setdefault("\0", value)

    def matches_at(self, text: str, start: int) -> list[tuple[int, object]]:
        """(end, value) of every term starting at `start`, longest first."""
        node, found = self.root, []
        for i in range(start, len(text)):
            node = node.get(text[i])
            if node is None:
                break
            if "\0" in node:
                found.append((i + 1, node["\0"]))
        return found[::-1]


def _boundaries_ok(text: str, start: int, end: int, latin: bool) -> bool:
    if not latin:
        return True
    return (start == 0 or not _is_word_char(text[start - 1])) and (end == len(text) or not _is_word_char(text[end]))


class Gazetteer:
    def __init__(self, data: dict):
        self._entries: dict[str, tuple[str, str, bool]] = {}  # key -> (entity, value, is_demonym)
        self._spellings: dict[str, set[str]] = {}  # key -> its spellings, lower case
        self._terms = _Trie()
        for code, forms in (data.get("country") or {}).items():
            for term in forms.get("names") or []:
                self._add(str(term), "country", code, False)
            for term in forms.get("demonyms") or []:
                self._add(str(term), "country", code, True)
        for entity in ("scheme", "sector"):
            for code, terms in (data.get(entity) or {}).items():
                for term in terms or []:
                    self._add(str(term), entity, code, False)
        cues = data.get("country_cues") or {}
        self._cues = {role: sorted({_key(str(c)) for c in cues.get(role) or [] if str(c).strip()}, key=len, reverse=True) for role in ("home", "host")}
        self._ignore = _Trie()
        for phrase in data.get("ignore") or []:
            key = _key(str(phrase))
            if key:
                self._ignore.add(key, bool(_LATIN.match(key)))

    def _add(self, term: str, entity: str, value: str, demonym: bool) -> None:
        key = _key(term)
        if not key:
            return
        latin = bool(_LATIN.match(term))
        variants = {key, key.replace(" ", "")} if latin else {key}
        for variant in variants:
            if variant not in self._entries:
                self._entries[variant] = (entity, value, demonym)
                self._terms.add(variant, (variant, latin))
            self._spellings.setdefault(variant, set()).add(_accents(term))

    def find(self, text: str) -> list[Match]:
        squeezed, index = _squeeze(fold(text))
        ignored = self._spans(self._ignore, squeezed)
        matches: list[Match] = []
        i = 0
        while i < len(squeezed):
            hit = self._longest_at(squeezed, i, ignored, text, index)
            if hit is None:
                i += 1
                continue
            end, key = hit
            entity, value, demonym = self._entries[key]
            role = None
            if entity == "country":
                role = "home" if demonym else self._role_before(squeezed[:i]) or self._role_inside(key)
            start_orig, end_orig = index[i], index[end - 1] + 1
            matches.append(Match(entity, value, start_orig, end_orig, text[start_orig:end_orig], role))
            i = end
        return matches

    def _longest_at(self, squeezed: str, i: int, ignored: list[tuple[int, int]], text: str, index: list[int]):
        for end, (key, latin) in self._terms.matches_at(squeezed, i):
            if not _boundaries_ok(squeezed, i, end, latin):
                continue
            if any(start <= i and end <= stop for start, stop in ignored):
                continue
            if not self._accents_agree(key, text[index[i] : index[end - 1] + 1]):
                continue
            return end, key
        return None

    @staticmethod
    def _spans(trie: _Trie, squeezed: str) -> list[tuple[int, int]]:
        spans = []
        for i in range(len(squeezed)):
            for end, latin in trie.matches_at(squeezed, i):
                if _boundaries_ok(squeezed, i, end, latin):
                    spans.append((i, end))
                    break
        return spans

    def _accents_agree(self, key: str, span: str) -> bool:
        written = _accents(span)
        accented = [spelling for spelling in self._spellings[key] if _has_accents(spelling)]
        return not _has_accents(written) or not accented or written in accented or written.replace(" ", "") in {a.replace(" ", "") for a in accented}

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
        """`home` or `host` when `before` ends with a cue (the longest cue wins)."""
        tail = before.rstrip()
        best: tuple[int, str] | None = None
        for role, cues in self._cues.items():
            for cue in cues:
                if best is not None and len(cue) <= best[0]:
                    break
                if tail.endswith(cue) and _boundaries_ok(tail, len(tail) - len(cue), len(tail), bool(_LATIN.match(cue))):
                    best = (len(cue), role)
                    break
        return best[1] if best else None
