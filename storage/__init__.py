"""Storage: SQLAlchemy models, the database session, repositories and Alembic migrations."""
