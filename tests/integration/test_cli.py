"""`homeward ask` and `homeward nlu eval` as the CONTRACT fixes them, against the real trained model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

DATA = PROJECT_ROOT / "tests" / "data"
pytestmark = pytest.mark.rasa


def homeward(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "homeward"), *args]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=900)


def test_ask_prints_one_object_per_case_in_order(rasa_server_url):
    result = homeward("ask", str(DATA / "ask_dev.jsonl"), env=rasa_server_url)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    cases = [json.loads(line) for line in (DATA / "ask_dev.jsonl").read_text().splitlines()]
    assert len(lines) == len(cases)
    for out in lines:
        assert set(out) == {"intent", "confidence", "countries", "lang", "handoff", "reply", "sources"}
        assert out["reply"].strip()
    take_home = lines[0]
    assert take_home["intent"] == "ask_take_home" and take_home["sources"] and not take_home["handoff"]
    assert "kwsp.gov.my" in take_home["reply"] or "perkeso" in take_home["reply"].lower()
    assert lines[1]["lang"] == "id"
    abuse, human = lines[4], lines[5]
    assert abuse["intent"] == "report_abuse" and abuse["handoff"]
    assert human["intent"] == "request_human" and human["handoff"]
    assert lines[8]["intent"] is None and "text" in lines[8]["reply"]


def test_nlu_eval_prints_the_contract_summary_last(rasa_server_url):
    result = homeward("nlu", "eval", str(DATA / "nlu_dev_en.jsonl"), str(DATA / "nlu_dev_id.jsonl"), env=rasa_server_url)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["n"] == 260
    assert set(summary["by_lang"]) == {"en", "id"}
    for key in ("intent_accuracy", "intent_macro_f1", "country_f1", "p50_ms", "p95_ms"):
        assert key in summary
    assert summary["intent_macro_f1"] >= 0.85 and summary["country_f1"] >= 0.85


@pytest.mark.parametrize(
    "content,message",
    [
        ('{"text": "hi", "lang": "en", "intent": "greet"\n', ":1: not valid JSON"),
        ('{"text": "hi", "lang": "xx", "intent": "greet", "countries": []}\n', ":1: lang must be one of"),
        ('{"text": "hi", "lang": "en", "countries": []}\n', ":1: intent must be"),
        ('{"text": "hi", "lang": "en", "intent": "greet", "countries": ["Malaysia"]}\n', ":1: countries must be"),
    ],
)
def test_a_malformed_nlu_file_is_named_without_a_traceback(tmp_path, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    result = homeward("nlu", "eval", str(bad), env={"HOMEWARD_RASA_URL": "http://127.0.0.1:9"})
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr


def test_a_malformed_ask_file_is_named_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"home": "ID", "host": "MY", "lang": "en", "text": "ok"}\n{"home": "Indonesia"}\n')
    result = homeward("ask", str(bad), env={"HOMEWARD_RASA_URL": "http://127.0.0.1:9"})
    assert result.returncode != 0 and ":2: home must be" in result.stderr and "Traceback" not in result.stderr


def test_rasa_down_gives_a_clear_reply_not_a_crash(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"home": "ID", "host": "MY", "lang": "en", "text": "can i take my epf home"}\n')
    result = homeward("ask", str(cases), env={"HOMEWARD_RASA_URL": "http://127.0.0.1:9"})
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert "technical problem" in out["reply"] and out["handoff"] is False


def test_logs_carry_neither_message_text_nor_tokens(tmp_path, rasa_server_url):
    cases = tmp_path / "cases.jsonl"
    secret_text = "my name is Siti Rahayu and my phone is 0123456789"
    cases.write_text(json.dumps({"home": "ID", "host": "MY", "lang": "en", "text": secret_text}) + "\n")
    result = homeward("ask", str(cases), env={**rasa_server_url, "HOMEWARD_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stderr
    assert "Siti" not in result.stderr and "0123456789" not in result.stderr
    token = rasa_server_url.get("HOMEWARD_RASA_TOKEN")
    assert not token or token not in result.stderr
