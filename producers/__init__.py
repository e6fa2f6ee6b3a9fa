"""Producers: everything that turns user intent into jobs (CLI, batch runs, webhooks, beat)."""
