"""Trend charts of the monthly bulletin as PNG, drawn with Pillow in the PDFs' Chinese font
(core/pdf.py's `pdf_font`): the same image goes into the Word and the PDF file."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from industry_brain.core.settings import Settings

COLOURS = ("#1f5fa8", "#c0504d", "#4e9a06", "#8064a2")
W, H = 1400, 560
LEFT, RIGHT, TOP, BOTTOM = 130, 90, 80, 90


def _font(settings: Settings, size: int) -> Any:
    from PIL import ImageFont

    from industry_brain.core.pdf import font_file, single_face

    return ImageFont.truetype(str(single_face(font_file(settings))), size)


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round gridline values covering [lo, hi], about n steps (1, 2, 2.5 or 5 × 10^k apart)."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first = math.floor(lo / step)
    count = math.ceil(hi / step) - first
    return [round((first + i) * step, 10) for i in range(max(count, 1) + 1)]


def line_chart(
    settings: Settings,
    *,
    title: str,
    unit: str,
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
) -> bytes:
    """A line chart: one line per (name, values), a gap where a value is None (no data)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    small, label, big = _font(settings, 22), _font(settings, 24), _font(settings, 30)
    d.text((W / 2, 30), title, font=big, fill="black", anchor="mm")
    values = [v for _, vs in series for v in vs if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    lo = min(lo, 0.0) if lo >= 0 and lo < hi * 0.2 else lo - (hi - lo) * 0.1
    ticks = _ticks(lo, hi * 1.05 if hi > 0 else hi + 1)
    lo, hi = ticks[0], ticks[-1]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + ph - (v - lo) / (hi - lo) * ph

    def x(i: int) -> float:
        return LEFT + (pw * i / max(len(x_labels) - 1, 1))

    for t in ticks:
        d.line([(LEFT, y(t)), (W - RIGHT, y(t))], fill="#dddddd", width=1)
        d.text(
            (LEFT - 10, y(t)),
            f"{t:,.0f}" if abs(hi) >= 100 else f"{t:,.2f}",
            font=small,
            fill="#333",
            anchor="rm",
        )
    d.text((LEFT - 10, TOP - 30), unit, font=small, fill="#333", anchor="rm")
    step = max(1, len(x_labels) // 12)
    for i, lab in enumerate(x_labels):
        if i % step == 0 or i == len(x_labels) - 1:
            d.text((x(i), TOP + ph + 12), lab, font=small, fill="#333", anchor="mt")
    d.line([(LEFT, TOP), (LEFT, TOP + ph), (W - RIGHT, TOP + ph)], fill="#333", width=2)
    for k, (name, vals) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        run: list[tuple[float, float]] = []
        for i, v in enumerate(vals):
            if v is None:
                if len(run) > 1:
                    d.line(run, fill=colour, width=4)
                run = []
                continue
            run.append((x(i), y(v)))
            d.ellipse([x(i) - 5, y(v) - 5, x(i) + 5, y(v) + 5], fill=colour)
        if len(run) > 1:
            d.line(run, fill=colour, width=4)
        lx = LEFT + 20 + k * 320
        d.line([(lx, H - 25), (lx + 40, H - 25)], fill=colour, width=5)
        d.text((lx + 50, H - 25), name, font=label, fill="black", anchor="lm")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
