"""PDF from HTML with WeasyPrint, Chinese set in one embedded font.

Every PDF the platform writes (evaluation notices, plan reviews) goes through `write_pdf`: the
caller builds a small HTML document (`document` wraps a body with the shared style sheet), and
WeasyPrint lays it out and embeds a subset of the font named by the `pdf_font` setting, with
a ToUnicode map so the text can be searched and copied. Nothing depends on which fonts the
machine's fontconfig happens to know: the font is named by its file.

Of a font collection (.ttc, as Debian's fonts-noto-cjk ships), the Simplified Chinese face is
taken (its family name ends in "SC"), copied once per process into a single-face file: given the
whole collection, fontconfig would pick one of the five faces by its own rules, and the Japanese
face draws some characters differently (直, 骨, 选). When a bold file sits next to the regular one
(NotoSansCJK-Bold.ttc beside NotoSansCJK-Regular.ttc), headings are set in it.

WeasyPrint needs the pango library (libpango-1.0-0, present wherever chromium is installed, as
scripts/test.sh does); without it, or without the font, making a PDF fails with a message
naming what to install or set, and nothing else is affected. It subsets the font with HarfBuzz's
libharfbuzz-subset0 (also a chromium dependency) in a fraction of a second; without that library
it falls back to fontTools, ~12 s a document for a CJK font of 65,000 glyphs.
"""

from __future__ import annotations

import hashlib
import html
import os
import tempfile
from pathlib import Path
from typing import Any

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.settings import Settings

FAMILY = "IndustryBrainCJK"
BASE_CSS = """
@page { size: A4; margin: 20mm 18mm 20mm 18mm;
        @bottom-center { content: counter(page) " / " counter(pages); font-family: "%(family)s";
                         font-size: 9pt; color: #555; } }
@page landscape { size: A4 landscape; margin: 15mm 12mm 15mm 12mm; }
html { font-family: "%(family)s"; font-size: 10.5pt; line-height: 1.5; color: #000; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 6mm 0; font-weight: bold; }
h2 { font-size: 13pt; margin: 5mm 0 2mm 0; font-weight: bold; }
h3 { font-size: 11pt; margin: 4mm 0 2mm 0; font-weight: bold; }
p { margin: 1.5mm 0; }
table { border-collapse: collapse; width: 100%%; margin: 2mm 0; }
th, td { border: 0.5pt solid #444; padding: 1mm 1.5mm; vertical-align: top; }
th { background: #BDD7EE; font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
.small { font-size: 9pt; color: #333; }
.break { break-before: page; }
"""
_face_cache: dict[tuple[str, int, int], Path] = {}


def font_file(settings: Settings) -> Path:
    """The font file the PDFs embed; a clear error when it is missing."""
    path = Path(settings.pdf_font).expanduser().resolve()
    if not path.is_file():
        raise ConfigurationError(
            f"PDF 所需的中文字体文件不存在：{path}。请安装 Debian 软件包 fonts-noto-cjk"
            "（apt-get install fonts-noto-cjk），或将 INDUSTRY_BRAIN_PDF_FONT 设为一个含中文的"
            " .ttf/.otf/.ttc 字体文件 (the pdf_font setting names a missing file)"
        )
    return path


def bold_sibling(path: Path) -> Path | None:
    """The bold file next to a regular one (NotoSansCJK-Regular.ttc → NotoSansCJK-Bold.ttc), so
    headings are set in a real bold; None when there is none (headings are then regular)."""
    if "Regular" not in path.name:
        return None
    bold = path.with_name(path.name.replace("Regular", "Bold"))
    return bold if bold.is_file() else None


def _cache_dir() -> Path:
    """A per-user directory for the extracted faces (a shared /tmp must not hand us another
    user's file)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"industry-brain-fonts-{uid}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if hasattr(os, "getuid") and folder.stat().st_uid != uid:
        return Path(tempfile.mkdtemp(prefix="industry-brain-fonts-"))
    return folder


def single_face(path: Path) -> Path:
    """`path` itself, or for a .ttc its Simplified Chinese face saved as its own file (cached
    per process under the temporary directory, keyed by the collection's path, size and time)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return path
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    cached = _face_cache.get(key)
    if cached is not None and cached.is_file():
        return cached
    from fontTools.ttLib import TTCollection

    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    target = _cache_dir() / f"{digest}.otf"
    if not target.is_file():
        try:
            collection = TTCollection(str(path), lazy=True)
        except Exception as exc:  # fontTools raises several kinds for a file that is no font
            raise ConfigurationError(f"INDUSTRY_BRAIN_PDF_FONT={path}: 不是可读的字体集 ({exc})") from exc
        face = _simplified_face(collection.fonts)
        partial = target.with_name(f".{target.name}.{id(face)}.partial")
        face.save(str(partial))
        partial.replace(target)
    _face_cache[key] = target
    return target


def _simplified_face(faces: list[Any]) -> Any:
    """The face whose family name ends in SC (Noto "… CJK SC", Source Han "… SC"), else the first."""
    for face in faces:
        family = str(face["name"].getDebugName(1) or "")
        if family.rstrip().endswith((" SC", "SC")) or "Simplified" in family:
            return face
    return faces[0]


def document(title: str, body: str, *, landscape: bool = False) -> str:
    """An HTML document in zh-CN (so the layout uses Chinese line breaking) around `body`."""
    page = ' style="page: landscape"' if landscape else ""
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title></head><body{page}>{body}</body></html>"
    )


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def write_pdf(html_text: str, path: Path, *, settings: Settings, css: str = "") -> Path:
    """Lay out `html_text` and write it to `path` as PDF, the configured font embedded."""
    weasyprint, sheet, fonts = _stylesheet(settings, css)
    document = weasyprint.HTML(string=html_text, base_url=str(path.parent))
    document.write_pdf(str(path), stylesheets=[sheet], font_config=fonts)
    return path


class PdfBuilder:
    """One PDF laid out in parts: `add` lays out a document's pages (so a long one can report
    progress between parts), `write` writes them all as one file, the font embedded once."""

    def __init__(self, settings: Settings, css: str = "") -> None:
        self._weasyprint, self._sheet, self._fonts = _stylesheet(settings, css)
        self._documents: list[Any] = []

    def add(self, html_text: str) -> int:
        """Lay out `html_text`; returns its number of pages."""
        document = self._weasyprint.HTML(string=html_text).render(
            stylesheets=[self._sheet], font_config=self._fonts
        )
        self._documents.append(document)
        return len(document.pages)

    def write(self, path: Path) -> Path:
        if not self._documents:
            raise ConfigurationError("没有可写出的 PDF 页面")
        pages = [page for document in self._documents for page in document.pages]
        self._documents[0].copy(pages).write_pdf(str(path))
        return path

    def clear(self) -> None:
        """Forget the laid-out pages (the style sheet and font stay, for the next file)."""
        self._documents = []


def _stylesheet(settings: Settings, css: str) -> tuple[Any, Any, Any]:
    """(the weasyprint module, the shared style sheet with the embedded font, its FontConfiguration)."""
    regular = font_file(settings)
    faces = [(single_face(regular), "normal")]
    bold = bold_sibling(regular)
    if bold is not None:
        faces.append((single_face(bold), "bold"))
    try:
        import weasyprint
    except OSError as exc:  # WeasyPrint loads pango with ctypes-like ffi at import
        raise ConfigurationError(
            "生成 PDF 需要 pango 库：apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
            f"(WeasyPrint could not load pango: {exc})"
        ) from exc
    rules = "".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{font.as_uri()}"); font-weight: {weight}; }}\n'
        for font, weight in faces
    )
    from weasyprint.text.fonts import FontConfiguration

    # @font-face rules take effect only through a FontConfiguration given to both the style
    # sheet and the rendering; without it the fonts come from fontconfig's own choice.
    fonts = FontConfiguration()
    sheet = weasyprint.CSS(string=rules + BASE_CSS % {"family": FAMILY} + css, font_config=fonts)
    return weasyprint, sheet, fonts
