"""Rendering: Jinja environments, Markdown to Word, Word XML helpers, LibreOffice."""
