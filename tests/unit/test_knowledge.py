"""The knowledge-base files, the validator's messages, and the load into a real database."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bot import db
from bot.knowledge.loader import KnowledgeError, load_knowledge, stale_facts
from bot.knowledge.schema import ASEAN, BRANCHES
from bot.knowledge.snapshot import KnowledgeSnapshot
from bot.knowledge.store import replace_knowledge
from bot.settings import PROJECT_ROOT


def test_the_real_knowledge_base_validates(knowledge_base):
    assert set(ASEAN) <= set(knowledge_base.countries())
    assert sum(len(f.facts) for f in knowledge_base.files) > 100


def test_every_fact_has_english_and_indonesian_text(knowledge_base):
    missing = [fact.id for f in knowledge_base.files for fact in f.facts if not fact.text.id]
    assert missing == []


def test_issue_two_countries_cover_every_branch_as_host_or_home(snapshot):
    for country in ("MY", "ID", "PH", "TH"):
        topics = {f.topic for f in snapshot.facts if f.country == country}
        assert {"coverage", "contact"} & topics, country
        assert len(topics & set(BRANCHES)) >= 4, (country, topics)


def _copy_kb(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", root)
    return root


def test_malformed_yaml_names_file_and_line(tmp_path):
    root = _copy_kb(tmp_path)
    path = root / "countries" / "MY.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5] + "\n  : : [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    problem = err.value.problems[0]
    assert problem.file.endswith("countries/MY.yaml") and problem.line in (6, 7) and "YAML" in problem.reason


def test_schema_errors_name_the_line_of_the_bad_field(tmp_path):
    root = _copy_kb(tmp_path)
    path = root / "countries" / "TH.yaml"
    text = path.read_text(encoding="utf-8")
    first_status = text.index("status: verified")
    path.write_text(text[:first_status] + "status: probably" + text[first_status + len("status: verified"):], encoding="utf-8")
    line = text[:first_status].count("\n") + 1
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    in_file = [(p.line, "status" in p.reason) for p in err.value.problems if p.file.endswith("TH.yaml")]
    assert in_file == [(line, True)]


def test_duplicate_ids_and_dead_references_are_reported(tmp_path):
    root = _copy_kb(tmp_path)
    extra = root / "countries" / "ZZ.yaml"
    first = load_knowledge(PROJECT_ROOT / "knowledge").files[0].facts[0].id
    extra.write_text(f"""country: ZZ
name: {{en: Nowhere}}
facts:
  - id: {first}
    role: host
    topic: coverage
    status: verified
    sources: [{{url: "https://example.org", date: n.d.}}]
    review_by: 2027-01-01
    text: {{en: "x"}}
    see_also: [no.such.fact]
""", encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    reasons = " ".join(p.reason for p in err.value.problems)
    assert "duplicate fact id" in reasons and "unknown fact 'no.such.fact'" in reasons


def test_stale_facts_are_listed(knowledge_base):
    assert stale_facts(knowledge_base, dt.date(2020, 1, 1)) == []
    assert len(stale_facts(knowledge_base, dt.date(2100, 1, 1))) == sum(len(f.facts) for f in knowledge_base.files)


def test_load_into_sqlite_and_read_back_the_same(tmp_path, knowledge_base, snapshot):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    db.upgrade(url)
    sessions = db.session_factory(db.make_engine(url))
    with sessions.begin() as s:
        replace_knowledge(s, knowledge_base, "digest")
    with sessions() as s:
        loaded = KnowledgeSnapshot.from_db(s)
    assert loaded.facts == snapshot.facts
    assert loaded.country_names == snapshot.country_names


def test_a_failed_reload_keeps_the_old_knowledge(tmp_path, knowledge_base):
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    db.upgrade(url)
    sessions = db.session_factory(db.make_engine(url))
    with sessions.begin() as s:
        replace_knowledge(s, knowledge_base, "first")
    with pytest.raises(RuntimeError):
        with sessions.begin() as s:
            replace_knowledge(s, knowledge_base, "second")
            raise RuntimeError("the load failed half-way")
    with sessions() as s:
        assert len(KnowledgeSnapshot.from_db(s).facts) == sum(len(f.facts) for f in knowledge_base.files)


def test_a_cut_short_source_url_is_refused(tmp_path):
    root = _copy_kb(tmp_path)
    path = root / "countries" / "SG.yaml"
    text = path.read_text(encoding="utf-8")
    url_at = text.index("url: ") + len("url: ")
    end = text.index("\n", url_at)
    path.write_text(text[:url_at] + "https://www.cpf.gov.sg/member/..." + text[end:], encoding="utf-8")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    assert any("cut short" in p.reason and p.line == text[:url_at].count("\n") + 1 for p in err.value.problems)
