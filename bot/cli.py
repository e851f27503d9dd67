"""The `homeward` command line. Bad input gives a one-line message and a non-zero exit, never a traceback."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
import uuid
from pathlib import Path

from sqlalchemy.exc import OperationalError

from pydantic import ValidationError
from pydantic_settings import SettingsError

from bot import db
from bot.app import SetupError
from bot.cases_file import CaseFileError, read_ask_cases, read_nlu_cases
from bot.knowledge.loader import KnowledgeError, load_knowledge, stale_facts
from bot.nlu_client import NluUnavailable
from bot.rasa_process import RasaSetupError
from bot.settings import load_settings


class CommandError(Exception):
    pass


def _db_upgrade(args, settings) -> int:
    db.upgrade(settings.database_url)
    print("database schema up to date")
    return 0


def _kb_validate(args, settings) -> int:
    kb = load_knowledge(Path(args.root) if args.root else settings.knowledge_dir)
    facts = sum(len(f.facts) for f in kb.files)
    print(f"knowledge base valid: {len(kb.files)} files, {facts} facts")
    return 0


def _kb_load(args, settings) -> int:
    from bot.app import load_knowledge_into_db

    facts, loaded = load_knowledge_into_db(settings, force=args.force)
    print(f"knowledge base {'loaded' if loaded else 'unchanged'}: {facts} facts")
    return 0


def _kb_coverage(args, settings) -> int:
    from bot.knowledge.coverage import OTHER_TOPICS, as_html, as_table, matrix

    kb = load_knowledge(settings.knowledge_dir)
    cells = matrix(kb)
    print("Benefit branches:\n" + as_table(cells))
    print("\nOther topics:\n" + as_table(matrix(kb, OTHER_TOPICS), OTHER_TOPICS))
    if args.html:
        Path(args.html).parent.mkdir(parents=True, exist_ok=True)
        Path(args.html).write_text(as_html(cells), encoding="utf-8")
        print(f"heat map written to {args.html}")
    return 0


def _kb_stale(args, settings) -> int:
    kb = load_knowledge(settings.knowledge_dir)
    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    late = stale_facts(kb, today)
    for country, fact_id, review_by in late:
        print(f"{review_by}  {country}  {fact_id}")
    print(f"{len(late)} facts past their review-by date")
    return 0


def _responses_check(args, settings) -> int:
    from bot.translations import missing_facts, missing_templates

    templates = missing_templates()
    facts = missing_facts(load_knowledge(settings.knowledge_dir))
    for lang, keys in templates.items():
        print(f"{lang}: {len(keys)} templates missing or untranslated: {', '.join(keys)}")
    for lang, ids in facts.items():
        print(f"{lang}: {len(ids)} knowledge-base facts without text: {', '.join(ids[:10])}{' …' if len(ids) > 10 else ''}")
    if templates or facts:
        return 1
    print("every template and knowledge-base text exists in all eight languages")
    return 0


def _nlu_train(args, settings) -> int:
    from bot.rasa_process import train

    started = time.monotonic()
    model, trained = train(force=args.force)
    if trained:
        print(f"trained {model.name} in {time.monotonic() - started:.0f} s")
    else:
        print(f"model {model.name} is up to date")
    return 0


def _nlu_eval(args, settings) -> int:
    from bot.app import nlu_client
    from bot.nlu_eval import Prediction, confusions, report
    from bot.text import normalise

    cases = [case for path in args.files for case in read_nlu_cases(Path(path))]
    predictions = []
    with nlu_client(settings) as client:
        client.parse("hello")  # warm up
        for case in cases:
            started = time.perf_counter()
            parse = client.parse(normalise(case.text))
            ms = (time.perf_counter() - started) * 1000
            predictions.append(Prediction(case, parse.intent, frozenset(parse.values("country")), ms))
    if args.confusions:
        for gold, predicted, count in confusions(predictions, top=args.confusions):
            print(f"{count:3d}  {gold} -> {predicted}", file=sys.stderr)
    if args.matrix:
        from bot.nlu_eval import confusion_svg

        Path(args.matrix).parent.mkdir(parents=True, exist_ok=True)
        Path(args.matrix).write_text(confusion_svg(predictions), encoding="utf-8")
    print(json.dumps(report(predictions), ensure_ascii=False))
    return 0


def _ask(args, settings) -> int:
    from bot.app import build_service, nlu_client

    cases = read_ask_cases(Path(args.file))
    with nlu_client(settings) as client:
        service = build_service(settings, client)
        for case in cases:
            worker = f"ask-{uuid.uuid4().hex}"
            service.set_profile(worker, case.home, case.host, case.lang)
            try:
                result = service.handle(worker, case.text)
            finally:
                service.forget(worker)
            print(json.dumps({
                "intent": result.intent, "confidence": round(result.confidence, 4), "countries": result.countries,
                "lang": result.lang, "handoff": result.handoff, "reply": "\n\n".join(result.texts), "sources": result.sources,
            }, ensure_ascii=False), flush=True)
    return 0


def _run(args, settings) -> int:
    from bot.app import build_service, nlu_client
    from bot.console import chat

    if settings.telegram_bot_token:
        from bot.cases import CaseDesk
        from bot.telegram_front.application import run

        with nlu_client(settings) as client:
            service = build_service(settings, client)
            run(settings, service, CaseDesk(service.sessions))
        return 0
    print("No TELEGRAM_BOT_TOKEN set: starting the console chat (starting the NLU server may take a minute)…")
    if not settings.staff_chat_id:
        print("No HOMEWARD_STAFF_CHAT_ID set: hand-offs are recorded as cases for the hotline to follow up.")
    with nlu_client(settings) as client:
        chat(build_service(settings, client))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="homeward", description="Homeward: social security answers for migrant workers.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve Telegram, or a console chat without a token").set_defaults(func=_run)

    dbp = sub.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    dbp.add_parser("upgrade", help="apply the migrations").set_defaults(func=_db_upgrade)

    kb = sub.add_parser("kb", help="knowledge base").add_subparsers(dest="kb_command", required=True)
    validate = kb.add_parser("validate", help="check every knowledge-base file")
    validate.add_argument("--root", help="the knowledge folder (default: the configured one)")
    validate.set_defaults(func=_kb_validate)
    load = kb.add_parser("load", help="validate and load the files into the database")
    load.add_argument("--force", action="store_true")
    load.set_defaults(func=_kb_load)
    coverage = kb.add_parser("coverage", help="country x branch x role matrix of verified / unconfirmed / missing")
    coverage.add_argument("--html", metavar="FILE", help="also write an HTML heat map")
    coverage.set_defaults(func=_kb_coverage)
    stale = kb.add_parser("stale", help="facts past their review-by date")
    stale.add_argument("--today", help="YYYY-MM-DD (default: today)")
    stale.set_defaults(func=_kb_stale)

    responses = sub.add_parser("responses", help="reply templates").add_subparsers(dest="responses_command", required=True)
    responses.add_parser("check", help="list missing or untranslated templates and texts").set_defaults(func=_responses_check)

    nlu = sub.add_parser("nlu", help="the Rasa NLU model").add_subparsers(dest="nlu_command", required=True)
    train = nlu.add_parser("train", help="train unless data and config are unchanged")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=_nlu_train)
    evaluate = nlu.add_parser("eval", help="score NLU cases (JSON Lines) against the trained model")
    evaluate.add_argument("files", nargs="+", metavar="FILE")
    evaluate.add_argument("--confusions", type=int, default=0, metavar="N", help="print the N worst confusions to stderr")
    evaluate.add_argument("--matrix", metavar="FILE.svg", help="write the confusion matrix as an SVG picture")
    evaluate.set_defaults(func=_nlu_eval)

    ask = sub.add_parser("ask", help="answer conversation cases (JSON Lines), one JSON object per case")
    ask.add_argument("file", metavar="FILE")
    ask.set_defaults(func=_ask)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except (ValidationError, SettingsError) as exc:
        print(f"homeward: the configuration is not valid:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL, which holds the bot token and the Rasa token: never at INFO.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLogger().level))  # DEBUG would print whole updates
    try:
        return args.func(args, settings)
    except (CaseFileError, CommandError, RasaSetupError, NluUnavailable, SetupError) as exc:
        print(f"homeward: {exc}", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        print(f"homeward: the knowledge base has problems:\n{exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        print(f"homeward: cannot use the database ({type(exc.orig).__name__}); check HOMEWARD_DATABASE_URL and that the server runs", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
