"""Storage: SQLAlchemy models, Alembic migrations and the stores built on them."""
