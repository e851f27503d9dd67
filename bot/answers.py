"""Compose a corridor answer from the knowledge base: what the host country gives this
worker, what the home country offers while abroad, and the agreements between them.

The result is plain data for the `answer` template. Verified facts are stated;
unconfirmed ones are kept apart so the template can only show them as "not confirmed".
"""

from __future__ import annotations

from bot.knowledge.schema import REGIONAL
from bot.knowledge.snapshot import FactView, KnowledgeSnapshot

# intent -> (topics asked of the host country, topics asked of the home country)
INTENT_TOPICS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ask_coverage": (("coverage",), ("home_scheme",)),
    "ask_take_home": (("take_home",), ("take_home",)),
    "ask_pension": (("old_age",), ("old_age",)),
    "ask_work_injury": (("employment_injury",), ("employment_injury",)),
    "ask_health": (("sickness_health",), ("sickness_health",)),
    "ask_maternity": (("maternity",), ("maternity",)),
    "ask_death_benefit": (("survivors",), ("survivors",)),
    "ask_unemployment": (("unemployment",), ("unemployment",)),
    "ask_home_scheme": ((), ("home_scheme",)),
    "ask_agreement": (("agreement",), ("agreement",)),
    "ask_claim_howto": (("claim",), ("claim",)),
    "ask_contributions": (("contributions",), ("contributions",)),
    "ask_contact": (("contact",), ("contact",)),
}
DOMAIN_INTENTS = frozenset(INTENT_TOPICS)
# How workers know each scheme; shown before a fact that does not name its scheme itself.
SCHEME_LABELS = {
    "SOCSO": "SOCSO/PERKESO", "EPF": "EPF/KWSP", "SSS": "SSS", "OWWA": "OWWA", "PHILHEALTH": "PhilHealth",
    "PAGIBIG": "Pag-IBIG", "BPJS_TK": "BPJS Ketenagakerjaan", "BPJS_KES": "BPJS Kesehatan", "SSO": "SSO",
    "VSS": "VSS/BHXH", "NSSF": "NSSF", "SSB": "SSB", "LSSO": "LSSO", "CPF": "CPF", "WICA": "WICA", "TAP": "TAP", "SPK": "SPK",
}
MAX_VERIFIED = 12  # long answers are split into several messages by the front end
MAX_UNCONFIRMED = 3


def compose_answer(kb: KnowledgeSnapshot, intent: str, home: str | None, host: str | None, lang: str, sector: str | None = None) -> dict:
    """The data of one answer: sections per side, numbered sources, and what is missing.
    Facts for one sector are shown to that sector only, or to everyone, labelled, while the sector is unknown."""
    host_topics, home_topics = INTENT_TOPICS[intent]
    sides = []
    if host_topics and host:
        sides.append(("host", host, kb.find(host, "host", host_topics, home)))
    if home_topics and home:
        sides.append(("home", home, kb.find(home, "home", home_topics, host)))
    if intent == "ask_agreement":
        sides.append(("regional", REGIONAL, kb.find(REGIONAL, "any", ("agreement",), None)))
    sources: list[str] = []
    source_dates: dict[str, str] = {}
    sections = []
    depends_on_sector = any(f.sectors for _, _, facts in sides for f in facts)
    sides = [(role, country, _for_sector(facts, sector)) for role, country, facts in sides]
    for role, country, facts in sides:
        verified = [f for f in facts if f.verified][:MAX_VERIFIED]
        unconfirmed = [f for f in facts if not f.verified][:MAX_UNCONFIRMED]
        sections.append(
            {
                "role": role,
                "country": country,
                "known": role == "regional" or kb.knows(country),
                "verified": [_line(f, lang, sources, source_dates) for f in verified],
                "unconfirmed": [_line(f, lang, sources, source_dates) for f in unconfirmed],
            }
        )
    return {
        "intent": intent,
        "home": home,
        "host": host,
        "sections": sections,
        "any_verified": any(s["verified"] for s in sections),
        "depends_on_sector": depends_on_sector,
        "sources": [{"n": i + 1, "url": url, "date": source_dates[url]} for i, url in enumerate(sources)],
    }


def _for_sector(facts: list[FactView], sector: str | None) -> list[FactView]:
    if sector is None:
        return facts
    matching = [f for f in facts if sector in f.sectors]
    return matching + [f for f in facts if not f.sectors]


def emergency_facts(kb: KnowledgeSnapshot, host: str | None, home: str | None, lang: str) -> dict:
    """Emergency numbers and help in the host country, and the home country's help abroad."""
    sources: list[str] = []
    dates: dict[str, str] = {}
    facts: list[FactView] = []
    if host:
        facts += [f for f in kb.find(host, "host", ("emergency",), home) if f.verified]
    if home:
        facts += [f for f in kb.find(home, "home", ("emergency", "contact"), host) if f.verified][:2]
    return {
        "host": host,
        "lines": [_line(f, lang, sources, dates) for f in facts[:MAX_VERIFIED]],
        "sources": [{"n": i + 1, "url": url, "date": dates[url]} for i, url in enumerate(sources)],
    }


def _mentions(text: str, label: str) -> bool:
    folded = text.casefold()
    return any(part.casefold() in folded for part in label.split("/"))


def _line(fact: FactView, lang: str, sources: list[str], dates: dict[str, str]) -> dict:
    refs = []
    for url, date in fact.sources:
        if url not in dates:
            sources.append(url)
            dates[url] = date
        refs.append(sources.index(url) + 1)
    text = fact.texts.get(lang)
    steps = (fact.steps or {}).get(lang) if text else None
    shown = text or fact.texts["en"]
    return {
        "id": fact.id,
        "schemes": [label for label in map(SCHEME_LABELS.get, fact.schemes) if label and not _mentions(shown, label)],
        "text": shown,
        "steps": steps if steps is not None else (fact.steps or {}).get("en"),
        "translated": text is not None,
        "sectors": list(fact.sectors),
        "refs": refs,
        "as_of": max(date for _, date in fact.sources),
    }
