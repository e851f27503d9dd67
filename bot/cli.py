"""The `homeward` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.knowledge.loader import KnowledgeError, load_knowledge


def _kb_validate(args: argparse.Namespace) -> int:
    try:
        kb = load_knowledge(Path(args.root))
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    facts = sum(len(f.facts) for f in kb.files)
    print(f"knowledge base valid: {len(kb.files)} files, {facts} facts")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="homeward")
    sub = parser.add_subparsers(dest="command", required=True)
    kb = sub.add_parser("kb").add_subparsers(dest="kb_command", required=True)
    validate = kb.add_parser("validate", help="check every knowledge-base file")
    validate.add_argument("--root", default="knowledge")
    validate.set_defaults(func=_kb_validate)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
