"""Content an organisation changes without touching code: answers to questions (answers/) and
the amounts of the year (amounts.yaml). Their translations live in the "answers" catalogs."""

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
