"""Checks that a pack cites its document: every quote occurs in the seed, every figure in its quote.

Pack tests (tests/test_plan_packs_*.py) call :func:`check_citations` with the seed's text and
assert that it returns no problems.
"""

from __future__ import annotations

import re

from industry_brain.plans.pack import Figure, Pack

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_CN_RUN = re.compile(r"[〇零一二两三四五六七八九十百千万]+")
# 翻一番 = ×2, 翻两番 = ×4: a plan writes doubling in words, not digits.
_DOUBLINGS = {"翻一番": 2.0, "翻番": 2.0, "倍增": 2.0, "翻两番": 4.0, "翻二番": 4.0}


def squeeze(text: str) -> str:
    """The text with all whitespace removed (seeds break table cells and lines arbitrarily)."""
    return _SPACE.sub("", text)


def chinese_number(run: str) -> float | None:
    """十五 → 15, 五百 → 500, 千 → 1000, 三 → 3; None when the run is not a number."""
    total, current = 0, 0
    for ch in run:
        if ch in _CN_DIGITS:
            current = current * 10 + _CN_DIGITS[ch] if current else _CN_DIGITS[ch]
        else:
            unit = _CN_UNITS[ch]
            if unit == 10_000:
                total = (total + (current or 1)) * unit
            else:
                total += (current or 1) * unit
            current = 0
    value = total + current
    return float(value) if value or "〇" in run or "零" in run else None


def numbers_in(quote: str) -> set[float]:
    """Every number the quote writes: digits (thousands commas dropped), Chinese numerals, 翻一番."""
    flat = squeeze(quote)
    # Digits are read from the quote as written: whitespace separates a table row's cells.
    found = {float(m) for m in _NUMBER.findall(re.sub(r"(?<=\d)[,，](?=\d{3})", "", quote))}
    found.update(v for run in _CN_RUN.findall(flat) if (v := chinese_number(run)) is not None)
    found.update(v for word, v in _DOUBLINGS.items() if word in flat)
    return found


def value_in_quote(value: float, quote: str) -> bool:
    return any(abs(n - value) <= 1e-9 * max(1.0, abs(value)) for n in numbers_in(quote))


def _check_quote(problems: list[str], where: str, quote: str, seed: str) -> None:
    if squeeze(quote) not in seed:
        problems.append(f"{where}: 引文不在原文中 (quote not found in the seed): {quote!r}")


def _check_figure(problems: list[str], where: str, figure: Figure, seed: str) -> None:
    _check_quote(problems, where, figure.quote, seed)
    if figure.value is not None and not value_in_quote(figure.value, figure.quote):
        problems.append(
            f"{where}.value: 数值 {figure.value:g} 不在引文中 (value not in quote): {figure.quote!r}"
        )


def check_citations(pack: Pack, seed_text: str) -> list[str]:
    """Problems with the pack's citations of `seed_text`; an empty list when every quote is
    in the seed (whitespace ignored) and every value in its quote."""
    seed = squeeze(seed_text)
    problems: list[str] = []
    for ind in pack.indicators:
        if ind.baseline is not None:
            _check_figure(problems, f"{ind.id}.baseline", ind.baseline, seed)
        _check_figure(problems, f"{ind.id}.target", ind.target, seed)
    for a in pack.actuals:
        _check_figure(problems, f"actuals[{a.indicator} {a.year}]", Figure(a.year, a.value, a.quote), seed)
    for c in pack.clusters:
        _check_quote(problems, c.id, c.quote, seed)
    for t in pack.tasks:
        _check_quote(problems, f"tasks[{t.id}]", t.quote, seed)
    return problems
