"""The migrations build exactly the schema the models describe, and can be undone."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from checklist.db import Base, alembic_config, make_engine


def test_the_migrations_match_the_models_and_downgrade_cleanly(empty_database_url):
    engine = make_engine(empty_database_url)  # SQLite, or PostgreSQL under TEST_DATABASE_URL
    config = alembic_config(engine)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    engine.dispose()
