"""What we keep of people's own words: never NUL or other control characters. PostgreSQL
refuses a NUL outright (a crisis message with one would be lost), and a terminal obeys the
others; line breaks and tabs stay."""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def kept(text: str) -> str:
    return _CONTROL.sub("", text)
