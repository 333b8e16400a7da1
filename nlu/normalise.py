"""Text as the engine compares it, and the scripts a message is written in. Participants mix
scripts and spellings: Arabic with or without vowel marks and with alef/ya variants, Arabizi
with digits for letters, Tigrinya in Ge'ez, Somali with doubled or single vowels."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي"})
_REPEATS = re.compile(r"(\D)\1{2,}")  # "heeeelp" → "heelp"
_SPACES = re.compile(r"\s+")


def ascii_digits(text: str) -> str:
    """Every decimal digit as 0–9: Arabic keyboards type ٠١٢٣, Persian ones ۰۱۲۳, full-width
    ０１２; a code, a number of minutes or a date means the same in any of them."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def normalise(text: str) -> str:
    text = ascii_digits(unicodedata.normalize("NFKC", text)).casefold()
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    # "beëindigen" and "beeindigen", "suïcide" and "suicide": accents are often left out.
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    text = unicodedata.normalize("NFC", text)
    text = _REPEATS.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def script_of(char: str) -> str | None:
    """latin, arabic, ethiopic, other, or None for what is not a letter."""
    if not char.isalpha():
        return None
    code = ord(char)
    if code < 0x250 or 0x1E00 <= code < 0x1F00:
        return "latin"
    if (
        0x600 <= code < 0x700
        or 0x750 <= code < 0x780
        or 0xFB50 <= code < 0xFE00
        or 0xFE70 <= code < 0xFF00
    ):
        return "arabic"
    if 0x1200 <= code < 0x13A0 or 0x2D80 <= code < 0x2DE0 or 0xAB00 <= code < 0xAB30:
        return "ethiopic"
    return "other"


def scripts(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for char in text:
        script = script_of(char)
        if script is not None:
            found[script] = found.get(script, 0) + 1
    return found
