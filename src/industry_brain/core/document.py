"""Documents as blocks, written as Word and PDF alike (result notices, policy notices, lists).

A document is a list of pages, each a list of `Block`s (title, subtitle, headings, paragraphs,
lists, key-value and head-row tables). `write_docx` and `html_pages` lay the same blocks out
the same way, so the Word and the PDF say the same thing: Word in 宋体 body and 黑体 headings
with shaded table heads (core.word); the PDF through core.pdf (the Chinese font embedded).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.settings import Settings
from industry_brain.core.word import east_asian, shade

FORMATS = ("docx", "pdf")
FONT = "宋体"
HEADING_FONT = "黑体"
Pages = Sequence[Sequence["Block"]]
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class Block:
    kind: str  # title | subtitle | h | p | small | list | kv | table
    text: str = ""
    items: list[str] = field(default_factory=list)
    head: tuple[str, ...] = ()
    rows: list[list[str]] = field(default_factory=list)


def write_pages(pages: Pages, path: Path, *, fmt: str, settings: Settings, title: str) -> Path:
    """Write `pages` to `path` as docx or pdf; through a temporary name, so a failure leaves
    no half-written file."""
    if fmt not in FORMATS:
        raise ConfigurationError(f"未知的文书格式“{fmt}”；可用：{', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "docx":
            write_docx(pages, partial)
        else:
            from industry_brain.core.pdf import write_pdf

            write_pdf(html_pages(pages, title), partial, settings=settings)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def write_docx(pages: Pages, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    east_asian(normal, FONT)
    normal.font.size = Pt(10.5)
    for style in ("Title", "Heading 1", "Heading 2"):
        east_asian(document.styles[style], HEADING_FONT)
    for n, page in enumerate(pages):
        if n:
            document.add_page_break()
        for block in page:
            if block.kind == "title":
                document.add_heading(block.text, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif block.kind == "subtitle":
                document.add_paragraph(block.text).alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif block.kind == "h":
                document.add_heading(block.text, level=1)
            elif block.kind in ("p", "small"):
                para = document.add_paragraph(block.text)
                if block.kind == "small":
                    para.runs[0].font.size = Pt(9)
            elif block.kind == "list":
                for text in block.items:
                    document.add_paragraph(text, style="List Bullet")
            else:
                _docx_table(document, block)
    document.save(str(path))


def _docx_table(document: Any, block: Block) -> None:
    head = block.head
    table = document.add_table(rows=0 if not head else 1, cols=len(head or block.rows[0]))
    table.style = "Table Grid"
    if head:
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = text
            shade(cell, "BDD7EE")
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
        if block.kind == "kv":
            shade(cells[0], "DDEBF7")


def html_pages(pages: Pages, title: str) -> str:
    """The pages as one HTML document for core.pdf, a page break between them."""
    from industry_brain.core.pdf import document, esc

    parts = []
    for n, page in enumerate(pages):
        body = ['<section class="break">' if n else "<section>"]
        for block in page:
            if block.kind == "title":
                body.append(f"<h1>{esc(block.text)}</h1>")
            elif block.kind == "subtitle":
                body.append(f'<p style="text-align:center">{esc(block.text)}</p>')
            elif block.kind == "h":
                body.append(f"<h2>{esc(block.text)}</h2>")
            elif block.kind in ("p", "small"):
                body.append(f'<p class="{block.kind}">{esc(block.text)}</p>')
            elif block.kind == "list":
                body.append("<ul>" + "".join(f"<li>{esc(t)}</li>" for t in block.items) + "</ul>")
            else:
                body.append(html_table(block.head, block.rows, key_column=block.kind == "kv"))
        body.append("</section>")
        parts.append("".join(body))
    return document(title, "".join(parts))


def html_table(head: Sequence[str], rows: Sequence[Sequence[str]], *, key_column: bool = False) -> str:
    from industry_brain.core.pdf import esc

    out = ["<table>"]
    if head:
        out.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = [
            f'<th style="width:28%">{esc(v)}</th>' if key_column and j == 0 else f"<td>{esc(v)}</td>"
            for j, v in enumerate(row)
        ]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def file_part(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    return UNSAFE.sub("_", text).strip(" .")[:80] or "_"


def zip_documents(
    members: Sequence[tuple[str, Sequence[Block]]],
    path: Path,
    *,
    ext: str,
    settings: Settings,
    title: str,
    progress: Callable[[int, int], None],
) -> Path:
    """A zip of one document per (member name, its blocks), as docx or pdf, `progress(done,
    total)` after each; the PDFs share one style sheet and font (core.pdf.PdfBuilder)."""
    from industry_brain.core.pdf import PdfBuilder

    scratch = path.with_name(f"one.{ext}")
    partial = path.with_name(f".{path.name}.partial")
    pdf = PdfBuilder(settings) if ext == "pdf" else None
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for i, (name, page) in enumerate(members, start=1):
            if pdf is None:
                write_docx([page], scratch)
            else:
                pdf.add(html_pages([page], title))
                pdf.write(scratch)
                pdf.clear()
            archive.write(scratch, name)
            progress(i, len(members))
    scratch.unlink(missing_ok=True)
    partial.replace(path)
    return path
