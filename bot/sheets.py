"""Printable sheets (PDF through WeasyPrint): the personal codes of an imported roster, one card
per person with their name (any script: Arabic and Ge'ez shaped by Pango with Noto fonts), the
QR code of their deep link, and the code itself for typing."""

from __future__ import annotations

import html
import io

import segno

PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 12mm; }
body { font-family: "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans Ethiopic",
       sans-serif; font-size: 11pt; }
.hint { margin: 0 0 6mm 0; }
.cards { display: flex; flex-wrap: wrap; gap: 4mm; }
.card { width: 58mm; border: 0.3mm dashed #555; padding: 3mm; text-align: center;
        break-inside: avoid; }
.name { font-weight: bold; font-size: 12pt; }
.code { font-family: "Noto Sans Mono", monospace; letter-spacing: 0.5mm; }
svg { width: 40mm; height: 40mm; }
</style></head><body><p class="hint">{hint}</p><div class="cards">{cards}</div></body></html>"""
CARD = (
    '<div class="card"><div class="name" dir="auto">{name}</div>{qr}'
    '<div class="code">{code}</div></div>'
)


def _svg(link: str) -> str:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", xmldecl=False, svgns=True, border=2)
    return buffer.getvalue().decode()


def qr_sheet(people: list[tuple[str, str, str]], hint: str) -> bytes:
    """(name, code, deep link) per person → a PDF to print and cut."""
    from weasyprint import HTML  # slow to load: only when a sheet is asked for

    cards = "".join(
        CARD.format(name=html.escape(name), qr=_svg(link), code=html.escape(code))
        for name, code, link in people
    )
    page = PAGE.replace("{hint}", html.escape(hint)).replace("{cards}", cards)
    return HTML(string=page).write_pdf()
