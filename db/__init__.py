"""Storage: SQLAlchemy models, sessions, data-access functions and Alembic migrations.

Knows nothing of Celery or of the models that fill it.
"""
