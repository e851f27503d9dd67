"""Score NLU predictions against expected intents and countries (pure functions)."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from bot.cases_file import NluCase


@dataclass(frozen=True)
class Prediction:
    case: NluCase
    intent: str
    countries: frozenset[str]
    ms: float


def _gold(p: Prediction) -> str:
    return p.intent if p.intent in p.case.intents else p.case.intents[0]


def scores(predictions: list[Prediction]) -> dict:
    n = len(predictions)
    correct = sum(p.intent in p.case.intents for p in predictions)
    tp = Counter()
    fp = Counter()
    fn = Counter()
    for p in predictions:
        gold = _gold(p)
        if p.intent == gold:
            tp[gold] += 1
        else:
            fp[p.intent] += 1
            fn[gold] += 1
    labels = {_gold(p) for p in predictions}
    f1s = [_f1(tp[label], fp[label], fn[label]) for label in labels]
    ctp = sum(len(p.countries & p.case.countries) for p in predictions)
    cfp = sum(len(p.countries - p.case.countries) for p in predictions)
    cfn = sum(len(p.case.countries - p.countries) for p in predictions)
    return {
        "n": n,
        "intent_accuracy": round(correct / n, 4) if n else 0.0,
        "intent_macro_f1": round(statistics.fmean(f1s), 4) if f1s else 0.0,
        "country_f1": round(_f1(ctp, cfp, cfn), 4),
    }


def report(predictions: list[Prediction]) -> dict:
    result = scores(predictions)
    by_lang: dict[str, list[Prediction]] = {}
    for p in predictions:
        by_lang.setdefault(p.case.lang, []).append(p)
    result["by_lang"] = {lang: scores(ps) for lang, ps in sorted(by_lang.items())}
    times = sorted(p.ms for p in predictions)
    result["p50_ms"] = round(_percentile(times, 50), 1)
    result["p95_ms"] = round(_percentile(times, 95), 1)
    return result


def confusions(predictions: list[Prediction], top: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent (expected, predicted) mistakes."""
    counts = Counter((_gold(p), p.intent) for p in predictions if p.intent not in p.case.intents)
    return [(gold, predicted, count) for (gold, predicted), count in counts.most_common(top)]


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp == 0:
        return 1.0 if fp == 0 and fn == 0 else 0.0
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    return 2 * precision * recall / (precision + recall)


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def confusion_svg(predictions: list[Prediction]) -> str:
    """A confusion matrix (expected intent in rows, predicted in columns) as a self-contained SVG picture."""
    labels = sorted({_gold(p) for p in predictions} | {p.intent for p in predictions})
    index = {label: i for i, label in enumerate(labels)}
    counts = Counter((_gold(p), p.intent) for p in predictions)
    totals = Counter(_gold(p) for p in predictions)
    cell, left, top = 22, 190, 190
    size = len(labels) * cell
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + size + 20}" height="{top + size + 20}" font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    for label, i in index.items():
        y = top + i * cell + cell * 0.7
        parts.append(f'<text x="{left - 6}" y="{y:.0f}" text-anchor="end">{label}</text>')
        x = left + i * cell + cell * 0.7
        parts.append(f'<text x="{x:.0f}" y="{top - 6}" transform="rotate(-60 {x:.0f} {top - 6})">{label}</text>')
    for (gold, predicted), n in counts.items():
        share = n / totals[gold]
        colour = f"rgb({int(255 - 200 * share)},{int(255 - 120 * share)},255)" if gold == predicted else f"rgb(255,{int(255 - 200 * share)},{int(255 - 200 * share)})"
        x, y = left + index[predicted] * cell, top + index[gold] * cell
        parts.append(f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{colour}"><title>{gold} → {predicted}: {n}</title></rect>')
        parts.append(f'<text x="{x + cell / 2:.0f}" y="{y + cell * 0.7:.0f}" text-anchor="middle">{n}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
