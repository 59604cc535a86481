"""Alembic environment: the engine comes from the app (db.alembic_config)."""

from alembic import context

from checklist import models  # noqa: F401  (registers the tables)
from checklist.db import Base

config = context.config


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
