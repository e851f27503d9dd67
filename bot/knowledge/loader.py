"""Read and validate the knowledge-base YAML files.

Every problem is reported with the file, the line and the reason, and all problems
are collected before failing, so a reviewer fixes a file in one pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.knowledge.schema import REGIONAL, CountryFile, TranslationFile


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class KnowledgeError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class KnowledgeBase:
    files: tuple[CountryFile, ...]
    translations: tuple[TranslationFile, ...] = ()

    def countries(self) -> list[str]:
        return [f.country for f in self.files if f.country != REGIONAL]


def knowledge_files(root: Path) -> list[Path]:
    return sorted(root.glob("countries/*.yaml")) + sorted(root.glob("regional.yaml")) + translation_files(root)


def translation_files(root: Path) -> list[Path]:
    return sorted(root.glob("translations/*.yaml"))


def load_knowledge(root: Path) -> KnowledgeBase:
    """Load and validate every file under `root`; raise KnowledgeError listing all problems."""
    problems: list[Problem] = []
    files: list[tuple[Path, CountryFile, dict]] = []
    translations: list[tuple[Path, TranslationFile, dict]] = []
    for path in knowledge_files(root):
        shown = _shown(path, root)
        is_translation = path.parent.name == "translations"
        parsed = _parse(path, shown, TranslationFile if is_translation else CountryFile, problems)
        if parsed is None:
            continue
        parsed, lines = parsed
        if is_translation:
            if parsed.lang != path.stem:
                problems.append(Problem(shown, lines.get(("lang",), 1), f"lang is {parsed.lang} but the file is for {path.stem}"))
            translations.append((path, parsed, lines))
            continue
        expected = path.stem.upper() if path.parent.name == "countries" else REGIONAL
        if parsed.country != expected:
            problems.append(Problem(shown, lines.get(("country",), 1), f"country is {parsed.country} but the file is for {expected}"))
        files.append((path, parsed, lines))
    if not files and not problems:
        problems.append(Problem(str(root), 0, "no knowledge files found"))
    problems.extend(_cross_file_problems(files, root))
    if not problems:  # a broken country file would make every translation of its facts look dangling
        problems.extend(_translation_problems(files, translations, root))
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(tuple(f for _, f, _ in files), tuple(t for _, t, _ in translations))


def _parse(path: Path, shown: str, model, problems: list[Problem]):
    try:
        data, lines = _read_with_lines(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(Problem(shown, line, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(shown, 1, "not UTF-8 text"))
        return None
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        problems.extend(_problems_from(exc, shown, lines))
        return None


def _translation_problems(files, translations, root: Path) -> list[Problem]:
    facts = {fact.id: fact for _, f, _ in files for fact in f.facts}
    countries = {f.country for _, f, _ in files}
    schemes = {s.id for _, f, _ in files for s in f.schemes}
    problems = []
    for path, parsed, lines in translations:
        shown = _shown(path, root)
        for fact_id, translation in parsed.facts.items():
            line = lines.get(("facts", fact_id), 1)
            fact = facts.get(fact_id)
            if fact is None:
                problems.append(Problem(shown, line, f"translation of unknown fact {fact_id!r}"))
            elif (translation.steps is None) != (fact.steps is None) or (
                fact.steps and len(translation.steps or []) != len(fact.steps.en)
            ):
                problems.append(Problem(shown, line, f"fact {fact_id!r}: the steps must match the English steps one for one"))
        for code in parsed.countries:
            if code not in countries:
                problems.append(Problem(shown, lines.get(("countries", code), 1), f"unknown country {code!r}"))
        for scheme in parsed.schemes:
            if scheme not in schemes:
                problems.append(Problem(shown, lines.get(("schemes", scheme), 1), f"unknown scheme {scheme!r}"))
    return problems


def stale_facts(kb: KnowledgeBase, today: dt.date) -> list[tuple[str, str, dt.date]]:
    """(country, fact id, review-by date) of every fact past its review-by date."""
    return [
        (f.country, fact.id, fact.review_by)
        for f in kb.files
        for fact in f.facts
        if fact.review_by < today
    ]


def _cross_file_problems(files: list[tuple[Path, CountryFile, dict]], root: Path) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    schemes = {s.id for _, f, _ in files for s in f.schemes}
    fact_ids = {fact.id for _, f, _ in files for fact in f.facts}
    for path, parsed, lines in files:
        shown = _shown(path, root)
        for i, fact in enumerate(parsed.facts):
            line = lines.get(("facts", i), 1)
            if fact.id in seen:
                problems.append(Problem(shown, line, f"duplicate fact id {fact.id!r} (also in {seen[fact.id]})"))
            seen.setdefault(fact.id, shown)
            for scheme in fact.schemes:
                if scheme not in schemes:
                    problems.append(Problem(shown, line, f"fact {fact.id!r} names scheme {scheme} that no file declares"))
            for ref in fact.see_also:
                if ref not in fact_ids:
                    problems.append(Problem(shown, line, f"fact {fact.id!r} refers to unknown fact {ref!r}"))
            if fact.steps and fact.text.id and not fact.steps.id:
                problems.append(Problem(shown, line, f"fact {fact.id!r} has Indonesian text but no Indonesian steps"))
    return problems


def _problems_from(exc: ValidationError, shown: str, lines: dict) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line = 1
        for n in range(len(loc), -1, -1):
            if loc[:n] in lines:
                line = lines[loc[:n]]
                break
        where = ".".join(str(part) for part in loc) or "file"
        problems.append(Problem(shown, line, f"{where}: {error['msg']}"))
    return problems


def _read_with_lines(path: Path) -> tuple[object, dict[tuple, int]]:
    """Parse YAML and remember the line of every mapping key and list item."""
    text = path.read_text(encoding="utf-8")
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return {}, {}
    lines: dict[tuple, int] = {}
    _walk(node, (), lines)
    return yaml.safe_load(text), lines


def _walk(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            lines[child] = key.start_mark.line + 1
            _walk(value, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), lines)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)
