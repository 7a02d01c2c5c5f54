"""The fonts the PDFs drawn with reportlab use (the summary report, a completed phone
form): the first family installed that carries the accents Yukon names have (Tāgé,
Éloïse); the standard PDF fonts lack ā."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/crosextra"), Path("/usr/share/fonts/truetype/dejavu"),
             Path("/usr/share/fonts/truetype/liberation2"),
             Path("/usr/share/fonts/truetype/liberation")]
FONT_FILES = [("Carlito", "Carlito-Regular.ttf", "Carlito-Bold.ttf", "Carlito-Italic.ttf"),
              ("DejaVuSans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
              ("LiberationSans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
               "LiberationSans-Italic.ttf")]


def register_fonts() -> tuple[str, str, str]:
    """(regular, bold, italic) font names: the first installed family, else Helvetica."""
    for family, *files in FONT_FILES:
        for folder in FONT_DIRS:
            paths = [folder / f for f in files]
            if all(p.is_file() for p in paths):
                names = (family, family + "-Bold", family + "-Italic")
                for name, path in zip(names, paths, strict=True):
                    if name not in pdfmetrics.getRegisteredFontNames():
                        pdfmetrics.registerFont(TTFont(name, str(path)))
                return names
    return ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")
