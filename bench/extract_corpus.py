"""The extraction corpus (tests/data/extract_corpus): real public documents from outside the seeds,
each an excerpt (.txt) with a labels file (.yaml) of the same name; see docs/plans-extraction.md.

A labels file may name a `file:` in another format (.docx, .pdf): it is built from the excerpt
here, the .docx with the excerpt's cell-a-line run as a Word table (`table_columns` wide), the
.pdf with each line a paragraph, so that the committed text stays the one source and no binary
is stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "extract_corpus"


@dataclass
class Document:
    id: str
    text_path: Path
    labels: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def heldout(self) -> bool:
        return bool(self.labels.get("heldout"))

    @property
    def year(self) -> int | None:
        """The --year a user would pass: only where the text gives no date of its own."""
        return self.labels.get("year")


def load(corpus: Path = CORPUS) -> list[Document]:
    docs = []
    for path in sorted(corpus.glob("*.yaml")):
        labels = yaml.safe_load(path.read_text(encoding="utf-8"))
        docs.append(Document(path.stem, path.with_suffix(".txt"), labels, labels.get("items") or []))
    return docs


def materialise(doc: Document, where: Path) -> Path:
    """The file the extractor reads: the excerpt itself, or the .docx/.pdf built from it."""
    target = doc.labels.get("file")
    if not target or target.endswith(".txt"):
        return doc.text_path
    text = doc.text_path.read_text(encoding="utf-8")
    out = where / target
    if target.endswith(".docx"):
        _docx(text, out, int(doc.labels["table_columns"]))
    elif target.endswith(".pdf"):
        _pdf(text, out)
    else:
        raise ValueError(f"{doc.id}: cannot build {target}")
    return out


def _docx(text: str, out: Path, columns: int) -> None:
    """The lines before the first blank line as paragraphs; the blank-separated cells after it (a
    cell a line, as the web copy carries them) as a Word table of `columns` columns whose first
    header cell is empty, as in the published table."""
    import docx

    lines = text.splitlines()
    start = lines.index("")
    document = docx.Document()
    for line in lines[:start]:
        document.add_paragraph(line)
    cells = [line.strip() for line in lines[start:] if line.strip()]
    rows = [["", *cells[: columns - 1]]]
    rows += [cells[i : i + columns] for i in range(columns - 1, len(cells), columns)]
    table = document.add_table(rows=len(rows), cols=columns)
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=False):
            cell.text = value
    document.save(str(out))


def _pdf(text: str, out: Path) -> None:
    from industry_brain.core.pdf import document, esc, write_pdf
    from industry_brain.core.settings import get_settings

    body = "".join(f"<p>{esc(line)}</p>" for line in text.splitlines() if line.strip())
    write_pdf(document("统计公报", body), out, settings=get_settings(environ={}))


def document_text(path: Path) -> str:
    """All the text of a corpus file, as the label check reads it (cells included)."""
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)
    if path.suffix == ".pdf":
        from industry_brain.plans.extract_shapes import pdf_text

        return pdf_text(path)
    return path.read_text(encoding="utf-8")


# ---- the matching rule ------------------------------------------------------------------------

_BRACKETS = re.compile(r"\([^()]*\)")
_PUNCT = re.compile(r"[\s\"'“”‘’「」《》()\[\]【】<>、,:;.。!?·—-]")
_SCOPE = re.compile(r"^(?:全年|全市|全区|全县|全省|全州|全国|我市|我区|我县|其中|预计)+")


def norm_name(name: str) -> str:
    """The form two names are compared in: full-width folded (NFKC), what stands in brackets
    (地区生产总值(GDP), 发电机组(发电设备)), punctuation and spaces dropped, 规模以上 as 规上, and a
    leading scope word (全市, 全区, 其中, 预计) dropped."""
    text = _PUNCT.sub("", _BRACKETS.sub("", unicodedata.normalize("NFKC", name or "")))
    return _SCOPE.sub("", text.replace("规模以上", "规上"))


def norm_unit(unit: str | None) -> str:
    return unicodedata.normalize("NFKC", unit or "").strip()


def key(name: str, value: float, unit: str | None, year: int) -> tuple[str, float, str, int]:
    return (norm_name(name), round(float(value), 6), norm_unit(unit), int(year))
