"""The reviewers' view of the knowledge base: for each country, benefit branch and role,
whether a verified fact exists, only unconfirmed ones, or nothing."""

from __future__ import annotations

import html

from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.schema import ASEAN, BRANCHES, TOPICS

ROLES = ("host", "home")
OTHER_TOPICS = tuple(t for t in TOPICS if t not in BRANCHES)
MARKS = {"verified": "V", "unconfirmed": "u", "missing": "·"}
COLOURS = {"verified": "#2e7d32", "unconfirmed": "#f9a825", "missing": "#e0e0e0"}


def matrix(kb: KnowledgeBase, topics: tuple[str, ...] = BRANCHES) -> dict[tuple[str, str, str], str]:
    """(country, topic, role) -> verified | unconfirmed | missing, for the ten ASEAN countries."""
    cells = {(c, b, r): "missing" for c in ASEAN for b in topics for r in ROLES}
    for file in kb.files:
        for fact in file.facts:
            for role in ROLES if fact.role == "any" else (fact.role,):
                key = (file.country, fact.topic, role)
                if key in cells and cells[key] != "verified":
                    cells[key] = "verified" if fact.status == "verified" else "unconfirmed"
    return cells


def counts(cells: dict) -> dict[str, int]:
    out = {"verified": 0, "unconfirmed": 0, "missing": 0}
    for status in cells.values():
        out[status] += 1
    return out


def as_table(cells: dict, topics: tuple[str, ...] = BRANCHES) -> str:
    short = {b: b.replace("employment_injury", "injury").replace("sickness_health", "health")[:10] for b in topics}
    head = "country " + " ".join(f"{short[b]:>10}" for b in topics)
    lines = ["host / home (V verified, u unconfirmed only, · missing)", head]
    for country in ASEAN:
        row = [f"{MARKS[cells[(country, b, 'host')]]} / {MARKS[cells[(country, b, 'home')]]}" for b in topics]
        lines.append(f"{country:7} " + " ".join(f"{cell:>10}" for cell in row))
    c = counts(cells)
    lines.append(f"cells: {c['verified']} verified, {c['unconfirmed']} unconfirmed only, {c['missing']} missing (of {len(cells)})")
    return "\n".join(lines)


def as_html(cells: dict) -> str:
    rows = []
    for country in ASEAN:
        tds = "".join(
            f'<td style="background:{COLOURS[cells[(country, b, r)]]}" title="{country} {b} {r}: {cells[(country, b, r)]}">'
            f"{MARKS[cells[(country, b, r)]]}</td>"
            for b in BRANCHES for r in ROLES
        )
        rows.append(f"<tr><th>{country}</th>{tds}</tr>")
    head1 = "".join(f'<th colspan="2">{html.escape(b)}</th>' for b in BRANCHES)
    head2 = "".join("<th>host</th><th>home</th>" for _ in BRANCHES)
    c = counts(cells)
    return f"""<!doctype html><meta charset="utf-8"><title>Homeward knowledge coverage</title>
<style>body{{font-family:sans-serif}}td,th{{padding:4px 8px;text-align:center;border:1px solid #fff}}td{{color:#fff;font-weight:bold}}</style>
<h1>Knowledge-base coverage</h1>
<p>Green: verified · amber: only unconfirmed · grey: missing. {c['verified']} verified, {c['unconfirmed']} unconfirmed only, {c['missing']} missing of {len(cells)} cells.</p>
<table><tr><th></th>{head1}</tr><tr><th></th>{head2}</tr>{''.join(rows)}</table>
"""
