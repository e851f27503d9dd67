"""A console chat with the same dialogue engine, for `make run` without a Telegram token."""

from __future__ import annotations

from bot.service import Homeward

WORKER_ID = "console"


def chat(service: Homeward, read=input, write=print) -> None:
    write("Homeward console chat. Type your question; /help for commands, /quit to leave.")
    while True:
        try:
            line = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return
        if line.strip() in ("/quit", "/exit"):
            return
        for text in service.handle(WORKER_ID, line).texts:
            write(text)
            write("")
