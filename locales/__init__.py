"""Gettext catalogs: messages.pot and <lang>/LC_MESSAGES/messages.po (compiled to .mo)."""

from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent
