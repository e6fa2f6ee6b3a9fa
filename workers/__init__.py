"""Model code: text extraction, the encoder and the three HR models. Knows nothing of Celery or SQL."""
