"""The dialogue engine, fed plain values: no database, no Rasa, no mocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from bot.engine import AddToCase, DeleteWorkerData, Message, OpenCase, ShowCaseStatus, State, step
from bot.knowledge.snapshot import FactView, KnowledgeSnapshot
from bot.nlu_client import Entity, Parse

REVIEW = dt.date(2027, 5, 31)


def fact(id, country, role, topic, status="verified", **kw):
    return FactView(id=id, country=country, role=role, topic=topic, status=status,
                    texts={"en": f"text of {id}", "id": f"teks {id}"}, sources=((f"https://example.org/{id}", "2024-01"),),
                    review_by=REVIEW, **kw)


KB = KnowledgeSnapshot(
    country_names={"MY": {"en": "Malaysia"}, "ID": {"en": "Indonesia"}, "ASEAN": {"en": "ASEAN"}},
    scheme_names={},
    facts=(
        fact("my.host.take_home.epf", "MY", "host", "take_home"),
        fact("my.host.take_home.rumour", "MY", "host", "take_home", status="unconfirmed"),
        fact("id.home.take_home.jht", "ID", "home", "take_home"),
        fact("my.host.agreement.memo", "MY", "host", "agreement", with_countries=("ID",)),
        fact("my.host.emergency.police", "MY", "host", "emergency"),
        fact("my.host.maternity.none", "MY", "host", "maternity", status="unconfirmed"),
        fact("my.host.survivors.pension", "MY", "host", "survivors"),
    ),
)
PROFILE = State(home="ID", host="MY")


def msg(intent, confidence=0.9, countries=(), text="some words", lang="en"):
    entities = tuple(Entity("country", c, r) for c, r in countries)
    return Message(text=text, lang=lang, parse=Parse(intent, confidence, entities))


def keys(outcome):
    return [r.key for r in outcome.replies]


def test_domain_question_without_profile_asks_for_home_then_answers():
    out = step(State(), msg("ask_take_home"), KB)
    assert keys(out) == ["ask_home"] and out.state.awaiting == "home" and out.state.pending_intent == "ask_take_home"
    out = step(out.state, msg("inform_profile", countries=[("ID", None)]), KB)
    assert keys(out) == ["ask_host"] and out.state.home == "ID"
    out = step(out.state, msg("inform_profile", countries=[("MY", None)]), KB)
    assert keys(out) == ["profile_noted", "answer"]
    assert out.state.host == "MY" and out.state.pending_intent is None and out.state.awaiting is None


def test_answer_uses_both_sides_of_the_corridor_and_keeps_unconfirmed_apart():
    out = step(PROFILE, msg("ask_take_home"), KB)
    answer = out.replies[0].data
    host, home = answer["sections"]
    assert [f["id"] for f in host["verified"]] == ["my.host.take_home.epf"]
    assert [f["id"] for f in host["unconfirmed"]] == ["my.host.take_home.rumour"]
    assert [f["id"] for f in home["verified"]] == ["id.home.take_home.jht"]
    assert [s["url"] for s in answer["sources"]][0] == "https://example.org/my.host.take_home.epf"


def test_corridor_only_facts_are_shown_to_that_corridor():
    ours = step(PROFILE, msg("ask_agreement"), KB).replies[0].data
    theirs = step(State(home="PH", host="MY"), msg("ask_agreement"), KB).replies[0].data
    assert "my.host.agreement.memo" in [f["id"] for s in ours["sections"] for f in s["verified"]]
    assert "my.host.agreement.memo" not in [f["id"] for s in theirs["sections"] for f in s["verified"]]


def test_no_verified_answer_offers_a_person_and_yes_opens_a_case():
    out = step(PROFILE, msg("ask_maternity"), KB)
    assert keys(out) == ["answer", "offer_person"] and not out.replies[0].data["any_verified"]
    out = step(out.state, msg("affirm"), KB)
    assert out.effects == (OpenCase("no_answer", False),) and "handoff_opened" in keys(out)


def test_abuse_is_urgent_and_gives_emergency_contacts_first():
    out = step(PROFILE, msg("report_abuse"), KB)
    assert keys(out) == ["emergency", "handoff_opened"]
    assert out.effects == (OpenCase("abuse", True),)
    assert [f["id"] for f in out.replies[0].data["lines"]] == ["my.host.emergency.police"]


@pytest.mark.parametrize("intent,reason", [("request_human", "request_human"), ("report_employer_problem", "employer_problem")])
def test_handoff_intents_open_a_case(intent, reason):
    assert step(PROFILE, msg(intent), KB).effects == (OpenCase(reason, False),)


def test_death_benefit_answers_and_hands_off():
    out = step(PROFILE, msg("ask_death_benefit"), KB)
    assert keys(out) == ["answer", "handoff_opened"] and out.effects == (OpenCase("death_benefit"),)


def test_two_misses_in_a_row_hand_off_and_a_hit_resets():
    out = step(PROFILE, msg("nlu_fallback", 0.2), KB)
    assert keys(out) == ["not_understood"] and out.state.fallbacks == 1
    reset = step(out.state, msg("thank"), KB)
    assert reset.state.fallbacks == 0
    out = step(out.state, msg("ask_pension", 0.1), KB)
    assert out.effects == (OpenCase("fallback", False),) and out.state.fallbacks == 0


def test_open_case_takes_every_message_but_status_and_forget():
    state = replace(PROFILE, case_id=7)
    out = step(state, msg("ask_pension", text="any news?"), KB)
    assert out.effects == (AddToCase("any news?"),) and keys(out) == ["added_to_case"]
    assert step(state, msg("ask_case_status", text="any news?"), KB).effects == (AddToCase("any news?"), ShowCaseStatus())
    assert step(state, msg("privacy_delete"), KB).state.awaiting == "forget"


def test_during_a_case_unsure_messages_still_reach_the_case_and_never_open_another():
    state = replace(PROFILE, case_id=7)
    for intent in ("ask_case_status", "privacy_delete", "nlu_fallback", "request_human"):
        out = step(state, msg(intent, 0.1, text="boss hit me again"), KB)
        assert out.effects == (AddToCase("boss hit me again"),), intent
    assert step(state, msg("request_human", 0.99), KB).effects == (AddToCase("some words"),)
    assert [r.key for r in step(state, Message(text="/language", lang="en"), KB).replies] == ["language_menu"]


def test_an_unanswered_delete_question_is_dropped_not_confirmed_later():
    asked = step(PROFILE, msg("privacy_delete"), KB)
    moved_on = step(asked.state, msg("out_of_scope"), KB)
    assert moved_on.state.awaiting is None
    assert step(moved_on.state, msg("affirm"), KB).effects == ()


def test_forget_needs_a_yes():
    out = step(PROFILE, msg("privacy_delete"), KB)
    assert keys(out) == ["confirm_forget"]
    assert step(out.state, msg("deny"), KB).effects == ()
    gone = step(out.state, msg("affirm"), KB)
    assert gone.effects == (DeleteWorkerData(),) and gone.state.home is None


def test_changing_ones_mind_updates_the_host():
    out = step(PROFILE, msg("inform_profile", countries=[("TH", "host")]), KB)
    assert out.state.host == "TH" and out.state.home == "ID"
    out = step(PROFILE, msg("ask_take_home", countries=[("SG", "host")]), KB)
    assert out.state.host == "SG" and out.replies[0].data["sections"][0]["known"] is False


def test_demonym_and_place_fill_both_slots_at_once():
    out = step(State(), msg("inform_profile", countries=[("ID", "home"), ("MY", "host")]), KB)
    assert (out.state.home, out.state.host) == ("ID", "MY") and keys(out) == ["profile_noted", "what_to_ask"]


def test_messages_without_words_and_nlu_down():
    assert keys(step(PROFILE, Message(text="👍", lang="en", has_words=False), KB)) == ["no_words"]
    assert keys(step(PROFILE, Message(text="hello there", lang="en", nlu_down=True), KB)) == ["nlu_down"]


def test_commands_need_no_nlu():
    out = step(PROFILE, Message(text="/human", lang="en"), KB)
    assert out.effects == (OpenCase("request_human", False),)
    assert step(PROFILE, Message(text="/forget", lang="en"), KB).state.awaiting == "forget"


def test_language_request_names_the_language():
    out = step(PROFILE, msg("change_language", text="can you speak bahasa indonesia"), KB)
    assert out.state.lang == "id" and out.state.lang_chosen


def test_state_round_trips_through_a_dict():
    state = State(lang="id", home="ID", host="MY", intents=("ask_pension",), case_id=3)
    assert State.from_dict(state.to_dict()) == state


SECTOR_KB = KnowledgeSnapshot(
    country_names=KB.country_names, scheme_names={},
    facts=KB.facts + (
        fact("my.host.old_age.domestic_excluded", "MY", "host", "old_age", sectors=("domestic",)),
        fact("my.host.old_age.epf", "MY", "host", "old_age"),
    ),
)


def test_an_answer_that_differs_by_sector_asks_once_then_answers_for_that_sector():
    out = step(PROFILE, msg("ask_pension"), SECTOR_KB)
    assert keys(out) == ["answer", "ask_sector"] and out.state.awaiting == "sector"
    shown = [f["id"] for f in out.replies[0].data["sections"][0]["verified"]]
    assert shown == ["my.host.old_age.domestic_excluded", "my.host.old_age.epf"]
    factory = step(out.state, Message("factory", "en", Parse("inform_profile", 1.0, (Entity("sector", "manufacturing"),))), SECTOR_KB)
    assert factory.state.sector == "manufacturing" and keys(factory) == ["profile_noted", "answer"]
    assert [f["id"] for f in factory.replies[1].data["sections"][0]["verified"]] == ["my.host.old_age.epf"]
    again = step(replace(factory.state, sector=None), msg("ask_pension"), SECTOR_KB)
    assert keys(again) == ["answer"]  # asked once per conversation


def test_a_domestic_worker_sees_the_domestic_facts_first():
    out = step(replace(PROFILE, sector="domestic"), msg("ask_pension"), SECTOR_KB)
    assert [f["id"] for f in out.replies[0].data["sections"][0]["verified"]][0] == "my.host.old_age.domestic_excluded"


def test_the_language_menu_takes_a_language_name_whatever_nlu_thought():
    out = step(PROFILE, Message(text="/language", lang="en"), KB)
    assert keys(out) == ["language_menu"] and out.state.awaiting == "language"
    chosen = step(out.state, msg("inform_profile", countries=[("ID", None)], text="Bahasa Indonesia"), KB)
    assert chosen.state.lang == "id" and chosen.state.lang_chosen and chosen.state.home == "ID" and chosen.state.host == "MY"
