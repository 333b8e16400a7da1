"""CSV as spreadsheets meet it: files we read may be comma- or semicolon-separated (Dutch Excel
writes `;`), UTF-8 with or without a byte-order mark; files we write never start a cell with
something a spreadsheet runs as a formula (OWASP: `=`, `+`, `-`, `@`, tab, carriage return),
because a participant chooses their own name."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from io import StringIO
from typing import IO, Any

from nlu.normalise import ascii_digits

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def reader(text: str) -> csv.DictReader[str]:
    """Rows of a CSV text keyed by its header, the separator read from the header line; digits
    typed on an Arabic or a full-width keyboard read as 0–9 (dates, times, numbers)."""
    text = ascii_digits(text.lstrip("\ufeff"))
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return csv.DictReader(StringIO(text), delimiter=delimiter)


def safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run is written as text (a leading apostrophe)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """csv.DictWriter whose text cells can never become formulas."""

    def __init__(
        self,
        out: IO[str],
        fieldnames: Iterable[str],
        delimiter: str = ",",
        lineterminator: str = "\r\n",
    ) -> None:
        self._writer = csv.DictWriter(
            out, fieldnames=list(fieldnames), delimiter=delimiter, lineterminator=lineterminator
        )

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({key: safe(value) for key, value in row.items()})


def spreadsheet(rows: Iterable[Iterable[Any]]) -> str:
    """Rows as Dutch Excel opens them: `;`, a byte-order mark, every text cell safe."""
    out = StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe(value) for value in row])
    return out.getvalue()
