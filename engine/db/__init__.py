"""The database plumbing: the Flask extensions (SQLAlchemy, Flask-Migrate, the API), engine settings, pooled-
connection liveness, the prepared statements of the hot path, and the Alembic migrations."""
