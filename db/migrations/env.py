"""Alembic environment: the URL comes from the caller (``db.migrate``) or TALENTQ_DATABASE_URL."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from config.settings import get_settings
from db.models import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url

connectable = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
    )
    with context.begin_transaction():
        context.run_migrations()
