"""Every reply key renders in every language that has templates, with StrictUndefined."""

from __future__ import annotations

import pytest

from bot.engine import Message, State, step
from bot.nlu_client import Parse
from bot.responses import Responder

SAMPLE = {
    "case_id": 12, "urgent": True, "staff_connected": False, "reason": "abuse", "home": "ID", "host": "MY",
    "case_state": "open", "waiting": "5 min", "lines": [], "sources": [], "lang": "id",
    "opens_at": "2026-11-30 09:00", "timezone": "Asia/Kuala_Lumpur",
}
LANGS_WITH_TEMPLATES = ["en", "id", "tl", "vi", "th", "my", "km", "lo"]


@pytest.mark.parametrize("lang", LANGS_WITH_TEMPLATES)
def test_every_key_renders_in_every_language(snapshot, lang):
    responder = Responder(snapshot)
    for key in responder.keys("en") - {"answer", "_sources", "_fallback_note"}:
        assert responder.render(key, lang, SAMPLE).strip(), key


def test_every_key_is_translated(snapshot):
    from bot.translations import missing_templates

    assert missing_templates() == {}


@pytest.mark.parametrize("lang", LANGS_WITH_TEMPLATES)
@pytest.mark.parametrize("intent", ["ask_take_home", "ask_coverage", "ask_agreement", "ask_claim_howto", "ask_contact", "ask_home_scheme"])
def test_answers_render_with_sources_and_dates(snapshot, lang, intent):
    state = State(home="ID", host="MY", lang=lang)
    out = step(state, Message("q", lang, Parse(intent, 0.99)), snapshot)
    answer = out.replies[0]
    text = Responder(snapshot).render("answer", lang, answer.data)
    for source in answer.data["sources"]:
        assert source["url"] in text
    assert "[1]" in text or not answer.data["sources"]


def test_unconfirmed_facts_are_only_shown_under_the_not_confirmed_heading(snapshot):
    responder = Responder(snapshot)
    for home, host in [("ID", "MY"), ("MM", "TH"), ("PH", "SG"), ("KH", "TH"), ("VN", "MY")]:
        for intent in ("ask_take_home", "ask_pension", "ask_coverage", "ask_agreement", "ask_health"):
            out = step(State(home=home, host=host), Message("q", "en", Parse(intent, 0.99)), snapshot)
            data = out.replies[0].data
            text = responder.render("answer", "en", data)
            heading = text.find("Not confirmed")
            for section in data["sections"]:
                for line in section["unconfirmed"]:
                    position = text.find(line["text"])
                    assert heading != -1 and position > heading, (home, host, intent, line["id"])


def test_a_language_without_a_template_falls_back_to_english_with_a_note(snapshot, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "km").mkdir()
    (tmp_path / "en" / "goodbye.j2").write_text("Goodbye!")
    (tmp_path / "km" / "_fallback_note.j2").write_text("(note in Khmer)")
    text = Responder(snapshot, root=tmp_path).render("goodbye", "km", {})
    assert text == "(note in Khmer)\nGoodbye!"
