"""The résumé parser: ``parser.parse_resume`` orchestrates sections, contacts, entries, dates and skills into the
``schema.ParsedResume`` schema; the skill scorer and tagger are its learned parts."""
