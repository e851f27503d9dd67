"""Every setting, declared once. Read from the environment and `.env` by `load_settings()` only."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.engine import CONFIDENCE_THRESHOLD

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = Field(None, alias="TELEGRAM_BOT_TOKEN", description="the bot's token; none: console chat")
    telegram_base_url: str | None = Field(None, alias="TELEGRAM_BASE_URL", description="Bot API base, as python-telegram-bot's base_url")
    staff_chat_id: int | None = Field(None, alias="HOMEWARD_STAFF_CHAT_ID", description="the hotline staff supergroup (forum topics on)")
    database_url: str = Field(
        f"sqlite:///{PROJECT_ROOT / 'var' / 'homeward.db'}", alias="HOMEWARD_DATABASE_URL", description="SQLAlchemy URL"
    )
    rasa_url: str | None = Field(None, alias="HOMEWARD_RASA_URL", description="a running Rasa server; none: start one locally")
    rasa_token: str | None = Field(None, alias="HOMEWARD_RASA_TOKEN", description="auth token of the Rasa server at HOMEWARD_RASA_URL")
    rasa_timeout: float = Field(10.0, alias="HOMEWARD_RASA_TIMEOUT", description="seconds to wait for one parse")
    webhook_url: str | None = Field(None, alias="HOMEWARD_WEBHOOK_URL", description="serve by webhook at this public URL")
    confidence_threshold: float = Field(
        CONFIDENCE_THRESHOLD, alias="HOMEWARD_CONFIDENCE_THRESHOLD", description="below this intent confidence the bot asks again"
    )
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge", alias="HOMEWARD_KNOWLEDGE_DIR", description="the knowledge-base YAML files")
    log_level: str = Field("INFO", alias="HOMEWARD_LOG_LEVEL", description="logging level")


def load_settings() -> Settings:
    return Settings()
