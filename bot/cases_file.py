"""Read the CONTRACT's JSON Lines test-case files, naming the line of any bad case."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bot.language import LANGUAGES

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class CaseFileError(Exception):
    pass


@dataclass(frozen=True)
class NluCase:
    text: str
    lang: str
    intents: tuple[str, ...]
    countries: frozenset[str]


@dataclass(frozen=True)
class AskCase:
    home: str
    host: str
    lang: str
    text: str


def _lines(path: Path):
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot be read ({exc.strerror or type(exc).__name__})") from None
    except UnicodeDecodeError:
        raise CaseFileError(f"{path}: not UTF-8 text") from None
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseFileError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise CaseFileError(f"{path}:{number}: each line must be a JSON object")
        yield number, obj


def _lang(path: Path, number: int, value: object) -> str:
    value = "id" if value == "ms" else value
    if value not in LANGUAGES:
        raise CaseFileError(f"{path}:{number}: lang must be one of {', '.join(LANGUAGES)} (got {value!r})")
    return value


def _text(path: Path, number: int, value: object) -> str:
    if not isinstance(value, str):
        raise CaseFileError(f"{path}:{number}: text must be a string")
    return value


def read_nlu_cases(path: Path) -> list[NluCase]:
    cases = []
    for number, obj in _lines(path):
        intent = obj.get("intent")
        intents = (intent,) if isinstance(intent, str) else tuple(intent) if isinstance(intent, list) else ()
        if not intents or not all(isinstance(i, str) and i for i in intents):
            raise CaseFileError(f"{path}:{number}: intent must be a name or a list of names")
        countries = obj.get("countries", [])
        if not isinstance(countries, list) or not all(isinstance(c, str) and _COUNTRY.match(c) for c in countries):
            raise CaseFileError(f"{path}:{number}: countries must be a list of ISO 3166-1 alpha-2 codes")
        cases.append(NluCase(_text(path, number, obj.get("text")), _lang(path, number, obj.get("lang")), intents, frozenset(countries)))
    if not cases:
        raise CaseFileError(f"{path}: no cases")
    return cases


def read_ask_cases(path: Path) -> list[AskCase]:
    cases = []
    for number, obj in _lines(path):
        for key in ("home", "host"):
            if not isinstance(obj.get(key), str) or not _COUNTRY.match(obj[key]):
                raise CaseFileError(f"{path}:{number}: {key} must be an ISO 3166-1 alpha-2 code")
        cases.append(AskCase(obj["home"], obj["host"], _lang(path, number, obj.get("lang")), _text(path, number, obj.get("text"))))
    if not cases:
        raise CaseFileError(f"{path}: no cases")
    return cases
