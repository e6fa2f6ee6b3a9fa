"""The résumé parser: ``parser.ResumeParser`` runs the entity model (``entities``) over many résumés at once and
assembles its spans (``assemble``) with the exact rules (contacts, dates, sections) into ``schema.ParsedResume``."""
