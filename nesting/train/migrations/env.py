"""Alembic's environment: migrate the connection the store hands over (never a URL of its own).

:func:`leathernest.train.store.migrate` puts an open SQLAlchemy connection into
``config.attributes["connection"]``; running ``alembic`` from a shell is not needed.
"""

from __future__ import annotations

from alembic import context

from leathernest.train.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
