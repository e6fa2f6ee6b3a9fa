"""Offline training of talentq's bundled models (``talentq train ...``); never imported by workers."""
