"""Alembic environment: migrations run on the connection db.migrate hands over."""
from alembic import context

from db.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` CLI use
        from db.engine import get_engine

        with get_engine(config.get_main_option("sqlalchemy.url") or None).connect() as conn:
            _run(conn)
            conn.commit()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
