"""The Telegram front end (python-telegram-bot 22): workers in private chats, hotline staff in a forum supergroup."""
