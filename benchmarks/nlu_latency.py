"""NLU parse latency, measured in one run: through the app's client (text clean-up +
RasaClient) and straight against the Rasa server (a bare HTTP POST).

Usage: .venv/bin/python benchmarks/nlu_latency.py [--rounds 3] [--max-p95-ms 2000]
Prints medians and p95 per path and the ratio; exits non-zero only when a generous
bound is exceeded (for CI), never on small differences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cases_file import read_nlu_cases  # noqa: E402
from bot.nlu_client import RasaClient  # noqa: E402
from bot.rasa_process import LocalRasaServer  # noqa: E402
from bot.text import normalise  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-p95-ms", type=float, default=2000.0)
    args = parser.parse_args()
    texts = [c.text for path in sorted(DATA.glob("nlu_dev_*.jsonl")) for c in read_nlu_cases(path)]
    app_ms: list[float] = []
    raw_ms: list[float] = []
    with LocalRasaServer() as server:
        client = RasaClient(server.url, server.token)
        raw = httpx.Client(base_url=server.url, timeout=10)
        for text in texts[:20]:  # warm up both paths
            client.parse(normalise(text))
            raw.post("/model/parse", params={"token": server.token}, json={"text": text})
        for _ in range(args.rounds):
            for text in texts:  # interleaved, so both paths see the same machine state
                started = time.perf_counter()
                client.parse(normalise(text))
                app_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                raw.post("/model/parse", params={"token": server.token}, json={"text": text}).raise_for_status()
                raw_ms.append((time.perf_counter() - started) * 1000)
        client.close()
        raw.close()
    result = {
        "messages": len(texts),
        "rounds": args.rounds,
        "app_client": {"p50_ms": round(statistics.median(app_ms), 2), "p95_ms": round(percentile(app_ms, 95), 2)},
        "rasa_direct": {"p50_ms": round(statistics.median(raw_ms), 2), "p95_ms": round(percentile(raw_ms, 95), 2)},
    }
    result["p50_ratio_app_over_direct"] = round(result["app_client"]["p50_ms"] / result["rasa_direct"]["p50_ms"], 3)
    print(json.dumps(result))
    if result["app_client"]["p95_ms"] > args.max_p95_ms:
        print(f"p95 {result['app_client']['p95_ms']} ms is over the bound of {args.max_p95_ms} ms", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
