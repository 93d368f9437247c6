"""How a download is named: in Chinese, as the official will file it, with an ASCII fallback.

HTTP headers are Latin-1, so a Chinese name goes in RFC 5987's `filename*=UTF-8''…` (every
current browser uses it) and a plain `filename="…"` carries an ASCII stand-in for old clients.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(name: str) -> str:
    """`name` without the characters no file system accepts (slashes, quotes, control codes)."""
    return _UNSAFE.sub("_", name).strip() or "download"


def attachment(name: str, *, fallback: str | None = None) -> dict[str, str]:
    """The Content-Disposition header for a download called `name` (Chinese welcome);
    `fallback` is the ASCII name for clients that ignore filename* (default: `name`'s ASCII)."""
    name = safe_name(name)
    if fallback is None:
        fallback = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_.-]", "_", name)).strip("_")
        stem, dot, suffix = fallback.rpartition(".")
        if not dot or not stem.strip("_"):
            fallback = f"download.{suffix}" if dot else "download"
    fallback = re.sub(r"[^A-Za-z0-9_.-]", "_", fallback)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"}
