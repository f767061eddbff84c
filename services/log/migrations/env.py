"""Alembic environment: runs on the connection handed over by services.log.migrate."""
from alembic import context

target_metadata = None  # migrations are written by hand; tests compare the tables with them

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
