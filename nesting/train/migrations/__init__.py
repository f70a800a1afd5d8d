"""Alembic migrations of the class server's database (run by ``store.migrate``).

Each file in ``versions/`` moves the schema one step; :mod:`leathernest.train.tables` is the schema
they arrive at (a test compares the two).
"""
