"""English is the source language: its catalog repeats each msgid as its translation."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def fill(path: str) -> int:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = tuple(message.id[min(i, 1)] for i in range(len(message.string)))
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
        message.flags.discard("fuzzy")
    catalog.fuzzy = False
    with open(path, "wb") as handle:
        write_po(handle, catalog, sort_output=True, include_lineno=False)
    return filled


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(f"{name}: {fill(name)} English messages filled from their msgid")
