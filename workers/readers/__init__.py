"""Readers of document formats and scans, each a plain function over bytes; ``workers/documents.py`` picks one."""
