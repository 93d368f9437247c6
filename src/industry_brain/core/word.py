"""Word (.docx) styling shared by the documents the platform writes (plan reviews, result
notices): Chinese fonts and shaded table cells, which python-docx has no API for."""

from __future__ import annotations

from typing import Any


def east_asian(run_or_style: Any, name: str) -> None:
    """Sets a run's or style's font for Chinese text too: python-docx sets only the Latin font,
    and Word takes Chinese glyphs from w:eastAsia."""
    from docx.oxml.ns import qn

    run_or_style.font.name = name
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def shade(cell: Any, colour: str) -> None:
    """Fills a table cell with a colour given as hex RGB ('BDD7EE')."""
    from docx.oxml.ns import qn

    props = cell._tc.get_or_add_tcPr()
    props.append(
        props.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): colour})
    )
