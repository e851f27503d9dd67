"""Alembic environment: runs migrations against the URL the app passes in."""

from alembic import context
from sqlalchemy import create_engine

from bot.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url")
connectable = create_engine(url)
with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
connectable.dispose()
