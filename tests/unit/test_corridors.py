"""Corridor answers for every ASEAN country as host and as home, from the real knowledge base:
the answer names the right schemes, and unconfirmed facts appear only as "not confirmed"."""

from __future__ import annotations

import pytest

from bot.engine import Message, State, step
from bot.knowledge.schema import ASEAN
from bot.nlu_client import Parse
from bot.responses import Responder

# A typical partner for each country: where its nationals go, or where its foreign workers come from.
PARTNER = {"BN": "ID", "KH": "TH", "ID": "MY", "LA": "TH", "MY": "ID", "MM": "TH", "PH": "SG", "SG": "MY", "TH": "MM", "VN": "TH"}


def answer(snapshot, home, host, intent, lang="en"):
    out = step(State(home=home, host=host, lang=lang), Message("q", lang, Parse(intent, 0.99)), snapshot)
    data = out.replies[0].data
    return data, Responder(snapshot).render("answer", lang, data), out


def schemes_of(snapshot, country, role, topics):
    return {s for f in snapshot.find(country, role, topics, None) if f.verified for s in f.schemes}


def named(snapshot, scheme, text):
    from bot.answers import SCHEME_LABELS

    return any(part.casefold() in text.casefold() for part in SCHEME_LABELS[scheme].split("/"))


def assert_unconfirmed_only_hedged(data, text):
    heading = text.find("Not confirmed")
    for section in data["sections"]:
        for line in section["unconfirmed"]:
            assert heading != -1 and text.find(line["text"]) > heading, line["id"]
        for line in section["verified"]:
            assert line["id"] not in {u["id"] for u in section["unconfirmed"]}


@pytest.mark.parametrize("host", ASEAN)
def test_host_country_answers_name_its_schemes(snapshot, host):
    home = PARTNER[host]
    for intent in ("ask_coverage", "ask_work_injury", "ask_take_home", "ask_claim_howto"):
        data, text, out = answer(snapshot, home, host, intent)
        expected = schemes_of(snapshot, host, "host", (data["intent"] and {"ask_coverage": "coverage", "ask_work_injury": "employment_injury", "ask_take_home": "take_home", "ask_claim_howto": "claim"}[intent],))
        for scheme in expected:
            assert named(snapshot, scheme, text), (host, intent, scheme)
        assert_unconfirmed_only_hedged(data, text)
        if not data["any_verified"]:
            assert "no verified answer" in text and [r.key for r in out.replies][-1] == "offer_person"


@pytest.mark.parametrize("home", ASEAN)
def test_home_country_answers_name_its_schemes(snapshot, home):
    host = PARTNER[home]
    for intent in ("ask_home_scheme", "ask_take_home", "ask_pension"):
        data, text, out = answer(snapshot, home, host, intent)
        topic = {"ask_home_scheme": "home_scheme", "ask_take_home": "take_home", "ask_pension": "old_age"}[intent]
        for scheme in schemes_of(snapshot, home, "home", (topic,)):
            assert named(snapshot, scheme, text), (home, intent, scheme)
        assert_unconfirmed_only_hedged(data, text)


def test_every_asean_country_has_a_host_coverage_answer(snapshot):
    for host in ASEAN:
        data, text, _ = answer(snapshot, PARTNER[host], host, "ask_coverage")
        host_section = data["sections"][0]
        assert host_section["verified"] or host_section["unconfirmed"], host


def test_thailand_never_promises_the_old_age_lump_sum_on_leaving(snapshot):
    data, text, _ = answer(snapshot, "MM", "TH", "ask_take_home")
    for section in data["sections"]:
        for line in section["verified"]:
            assert "refund" not in line["text"].lower() or "no rule" in line["text"].lower(), line["id"]


@pytest.mark.parametrize("lang", ["en", "id", "tl", "vi", "th", "my", "km", "lo"])
def test_answers_come_in_the_workers_language(snapshot, lang):
    data, text, _ = answer(snapshot, "ID", "MY", "ask_take_home", lang)
    assert all(line["translated"] for s in data["sections"] for line in s["verified"])
