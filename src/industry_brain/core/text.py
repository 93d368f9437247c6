"""Normalising the text departments type: full-width forms, stray spaces, brackets."""

from __future__ import annotations

import re

# Full-width ASCII variants (U+FF01..U+FF5E) map to ASCII by a fixed offset; the ideographic
# space is a separate code point.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits, brackets and the ideographic space become ASCII."""
    return text.translate(_FULLWIDTH)


def squash(text: str) -> str:
    """Remove every kind of white space (headers and codes never need it)."""
    return _SPACES.sub("", text)


_DASHES = re.compile(r"[-\u2010-\u2015\u2212]")


def normalise_code(text: str) -> str:
    """A code as typed (spaces, hyphens, lower case, full-width) in its canonical form;
    GB 32100's validation recipe strips spaces and hyphens."""
    return _DASHES.sub("", squash(to_halfwidth(text))).upper()
