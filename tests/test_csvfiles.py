"""CSV as spreadsheets meet it: `;` or `,`, with or without a byte-order mark, and no cell we
write can start a formula (OWASP's list)."""

from __future__ import annotations

import io

import pytest

from bot.services.csvfiles import SafeWriter, reader, safe


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")'],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(cell: str) -> None:
    assert safe(cell) == "'" + cell
    out = io.StringIO()
    writer = SafeWriter(out, ["name", "level"])
    writer.writeheader()
    writer.writerow({"name": cell, "level": -1})
    assert out.getvalue().splitlines()[1].lstrip('"').startswith("'")
    assert out.getvalue().rstrip().endswith(",-1")  # numbers stay numbers


@pytest.mark.parametrize("cell", ["Amal Hassan", "2026-12-07", "", "a=b", "ﺃﻣﻞ"])
def test_ordinary_cells_are_left_alone(cell: str) -> None:
    assert safe(cell) == cell


@pytest.mark.parametrize(
    "text",
    [
        "participant;date;status\nAmal;2026-12-01;present\n",
        "\ufeffparticipant;date;status\r\nAmal;2026-12-01;present\r\n",
        "participant,date,status\nAmal,2026-12-01,present\n",
        "\ufeffparticipant,date,status\nAmal,2026-12-01,present\n",
    ],
)
def test_semicolons_commas_and_a_byte_order_mark_are_read(text: str) -> None:
    assert list(reader(text)) == [
        {"participant": "Amal", "date": "2026-12-01", "status": "present"}
    ]
