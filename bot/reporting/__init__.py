"""The impact report as people read it: CSV for Dutch Excel, an HTML page, a PDF; all from the
same figures (bot.services.impact.report), so every format shows the same numbers."""
