"""Every setting, declared once. Read from the environment and `.env` by `load_settings()` only."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.engine import CONFIDENCE_THRESHOLD
from bot.paths import PROJECT_ROOT

__all__ = ["PROJECT_ROOT", "Settings", "load_settings"]


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
    webhook_listen: str = Field("127.0.0.1", alias="HOMEWARD_WEBHOOK_LISTEN", description="address the webhook server listens on (behind a reverse proxy)")
    webhook_port: int = Field(8443, alias="HOMEWARD_WEBHOOK_PORT", description="port the webhook server listens on")
    webhook_secret: str | None = Field(None, alias="HOMEWARD_WEBHOOK_SECRET", description="secret token Telegram sends with each webhook call; none: a random one per start")
    staff_admins: list[int] = Field([], alias="HOMEWARD_STAFF_ADMINS", description="user ids who may act on cases besides staff-group members (JSON list)")
    working_hours: str = Field("Mon-Fri 09:00-17:00", alias="HOMEWARD_WORKING_HOURS", description="when hotline staff answer, e.g. 'Mon-Sat 08:00-20:00' or 'always'")
    timezone: str = Field("UTC", alias="HOMEWARD_TIMEZONE", description="time zone of the working hours (IANA name)")
    escalate_after_minutes: int = Field(30, alias="HOMEWARD_ESCALATE_AFTER_MINUTES", description="an unclaimed case is raised again in the staff group after this long")
    confidence_threshold: float = Field(
        CONFIDENCE_THRESHOLD, alias="HOMEWARD_CONFIDENCE_THRESHOLD", description="below this intent confidence the bot asks again"
    )
    knowledge_dir: Path = Field(PROJECT_ROOT / "knowledge", alias="HOMEWARD_KNOWLEDGE_DIR", description="the knowledge-base YAML files")
    log_level: str = Field("INFO", alias="HOMEWARD_LOG_LEVEL", description="logging level")


def load_settings() -> Settings:
    return Settings()
