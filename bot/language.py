"""Which of Homeward's eight languages a message is written in.

The script decides Thai, Lao, Khmer and Burmese. Latin-script text (English,
Indonesian/Malay, Filipino, Vietnamese — often without diacritics) is scored by two
identifiers that need no download: a character n-gram model learnt from the NLU
training data, which knows how workers really type, and lingua with its bundled
models; their average is then weighed against the language the worker chose: a
short or unsure message keeps the worker's language. (docs/nlu.md has the figures.)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from bot.paths import PROJECT_ROOT

LANGUAGES = ("en", "id", "tl", "vi", "th", "my", "km", "lo")
NATIVE_NAMES = {
    "en": "English",
    "id": "Bahasa Indonesia",
    "tl": "Filipino",
    "vi": "Tiếng Việt",
    "th": "ภาษาไทย",
    "my": "မြန်မာဘာသာ",
    "km": "ភាសាខ្មែរ",
    "lo": "ພາສາລາວ",
}
# Words a worker may use to ask for a language, in any language (folded to lower case).
LANGUAGE_WORDS = {
    "en": ("english", "inggris", "ingles", "tiếng anh", "tieng anh", "อังกฤษ", "အင်္ဂလိပ်", "អង់គ្លេស", "ອັງກິດ"),
    "id": ("bahasa indonesia", "bahasa", "melayu", "malay", "indo"),
    "tl": ("tagalog", "filipino", "pilipino", "taglish"),
    "vi": ("vietnamese", "tiếng việt", "tieng viet"),
    "th": ("thai", "ภาษาไทย"),
    "my": ("burmese", "myanmar language", "မြန်မာ"),
    "km": ("khmer", "cambodian", "ខ្មែរ"),
    "lo": ("laotian", "lao language", "ພາສາລາວ"),
}
_SCRIPTS = (
    ("th", 0x0E00, 0x0E7F),
    ("lo", 0x0E80, 0x0EFF),
    ("km", 0x1780, 0x17FF),
    ("my", 0x1000, 0x109F),
)
MIN_CONFIDENCE = 0.5
LATIN_LANGUAGES = ("en", "id", "tl", "vi")


def _grams(text: str):
    padded = f" {text.lower()} "
    for n in (1, 2, 3, 4):
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]


@lru_cache(maxsize=1)
def _ngram_model() -> tuple[dict[str, Counter], dict[str, int], int]:
    import yaml

    counts: dict[str, Counter] = {}
    for lang in LATIN_LANGUAGES:
        data = yaml.safe_load((PROJECT_ROOT / "nlu" / "data" / f"{lang}.yml").read_text(encoding="utf-8"))
        lines = [line[2:] for block in data["nlu"] for line in block["examples"].splitlines() if line.startswith("- ")]
        counts[lang] = Counter(g for line in lines for g in _grams(line))
    vocabulary = len(set().union(*counts.values()))
    return counts, {lang: sum(c.values()) for lang, c in counts.items()}, vocabulary


def _ngram_scores(text: str) -> dict[str, float]:
    """Naive Bayes over character 1–4-grams, as probabilities over the Latin-script languages."""
    counts, totals, vocabulary = _ngram_model()
    logs = {lang: sum(math.log((counts[lang][g] + 1) / (totals[lang] + vocabulary)) for g in _grams(text)) for lang in counts}
    top = max(logs.values())
    weights = {lang: math.exp(value - top) for lang, value in logs.items()}
    total = sum(weights.values())
    return {lang: weight / total for lang, weight in weights.items()}


@lru_cache(maxsize=1)
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = {
        Language.ENGLISH: "en",
        Language.INDONESIAN: "id",
        Language.MALAY: "id",
        Language.TAGALOG: "tl",
        Language.VIETNAMESE: "vi",
    }
    detector = LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    return detector, languages


def by_script(text: str) -> str | None:
    counts = {lang: 0 for lang, _, _ in _SCRIPTS}
    for ch in text:
        code = ord(ch)
        for lang, low, high in _SCRIPTS:
            if low <= code <= high:
                counts[lang] += 1
    lang, count = max(counts.items(), key=lambda item: item[1])
    return lang if count else None


def identify(text: str) -> tuple[str | None, float]:
    """(language, confidence) of `text`, or (None, 0.0) when it cannot be told."""
    script = by_script(text)
    if script:
        return script, 1.0
    letters = sum(c.isalpha() for c in text)
    if letters < 2:
        return None, 0.0
    detector, languages = _detector()
    lingua: dict[str, float] = {}
    for value in detector.compute_language_confidence_values(text):
        lang = languages[value.language]
        lingua[lang] = lingua.get(lang, 0.0) + value.value
    ngram = _ngram_scores(text)
    scores = {lang: (ngram[lang] + lingua.get(lang, 0.0)) / 2 for lang in LATIN_LANGUAGES}
    lang, confidence = max(scores.items(), key=lambda item: item[1])
    return lang, confidence


def choose(text: str, current: str | None, chosen: bool) -> str:
    """The language to answer `text` in, given the worker's current language and whether they chose it."""
    detected, confidence = identify(text)
    if detected is None:
        return current or "en"
    if by_script(text):
        return detected  # a worker writing Thai script wants Thai, whatever they chose before
    if chosen and current:
        return current
    words = len(text.split())
    if current and (words < 3 or confidence < MIN_CONFIDENCE):
        return current
    return detected


def requested_language(text: str) -> str | None:
    """The language a 'speak X' message names, if any: whole words in Latin script, anywhere in other scripts."""
    folded = text.casefold()
    for lang in LANGUAGES:
        if NATIVE_NAMES[lang].casefold() in folded:
            return lang
    for lang, words in LANGUAGE_WORDS.items():
        if any(_names(word, folded) for word in words):
            return lang
    return None


def _names(word: str, folded: str) -> bool:
    if by_script(word) or not word.isascii():
        return word in folded
    return re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", folded) is not None
