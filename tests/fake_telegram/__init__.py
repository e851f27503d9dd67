"""A fake Telegram Bot API server for Homeward's tests; see server.py for what is faithful."""

from .server import ApiError, FakeTelegram

__all__ = ["ApiError", "FakeTelegram"]
