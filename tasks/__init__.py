"""The Celery layer: the queue contract, the app and the tasks that glue model code to storage."""
