"""The one settings object, built by `get_settings()` from the environment and overrides.

Every setting is read from `INDUSTRY_BRAIN_<NAME>` (upper case). Nothing is read at import time.
The reference of every setting is docs/settings.md; a test checks that they agree.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from typing import Any

from industry_brain.core.errors import ConfigurationError

ENV_PREFIX = "INDUSTRY_BRAIN_"


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./industry_brain.db"
    """SQLAlchemy URL of the database; SQLite files are created and migrated on first use."""

    max_file_bytes: int = 512 * 1024 * 1024
    """Largest departmental file accepted, in bytes, as it is on disk."""

    max_uncompressed_bytes: int = 2 * 1024 * 1024 * 1024
    """Largest total an .xlsx/.ods may inflate to (defends against zip bombs), in bytes."""

    max_columns: int = 512
    """Most columns a sheet may have; wider sheets are refused before they are loaded."""

    max_rows: int = 20_000_000
    """Most rows a sheet or CSV may have."""

    header_scan_rows: int = 30
    """How many rows at the top of a sheet are searched for the header row."""

    plausibility_factor: float = 100.0
    """A figure this many times its previous period (or 1/this) raises a warning, not a reject."""

    conflict_tolerance: float = 0.01
    """Relative difference below which two sources' figures are taken to agree."""

    district_code: str = "330213"
    """GB/T 2260 code of the district the platform serves (default 奉化区); township names are
    resolved inside it first."""

    host: str = "127.0.0.1"
    """Address `industry-brain serve` listens on."""

    port: int = 8000
    """Port `industry-brain serve` listens on."""

    secret_key: str = ""
    """Key that signs the forms' CSRF tokens and the pages' storage cookie (sessions and access
    tokens are random and stored only as hashes); empty = generated once and kept in the
    database (table app_secret). Set the same key on every server sharing a database."""

    cookie_secure: bool = False
    """Mark session cookies Secure (sent over HTTPS only); set it behind an HTTPS reverse proxy.
    Cookies are Secure anyway whenever the request itself came over HTTPS."""

    session_hours: int = 12
    """How long a page sign-in and a token from /api/v1/auth/token stay valid, in hours."""

    login_max_failures: int = 5
    """Failed sign-ins allowed per user name and client address within `login_window_seconds`."""

    login_window_seconds: int = 900
    """The window, in seconds, over which failed sign-ins are counted."""

    forwarded_allow_ips: str = "127.0.0.1"
    """Addresses of reverse proxies whose X-Forwarded-For / -Proto headers are trusted
    (comma-separated, or * for any); the audit log and the sign-in limit then see the client's
    own address."""

    pdf_font: str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    """Font file (.ttf, .otf or .ttc) embedded in the PDFs (evaluation notices, plan reviews); it
    must cover Chinese. The default is Debian's fonts-noto-cjk; a .ttc's Simplified Chinese face
    is used."""

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(name: str, raw: str, kind: type) -> Any:
    try:
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        if kind is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError as exc:
        expected = "true or false" if kind is bool else f"a {kind.__name__}"
        raise ConfigurationError(f"{ENV_PREFIX}{name.upper()}={raw!r}: not {expected}") from exc
    return raw


def get_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings: defaults, then the environment, then explicit overrides (None = unset)."""
    env = os.environ if environ is None else environ
    kinds = {"int": int, "float": float, "str": str, "bool": bool}
    values: dict[str, Any] = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key in env and env[key] != "":
            values[f.name] = _coerce(f.name, env[key], kinds[str(f.type)])
    for name, value in overrides.items():
        if value is not None:
            values[name] = value
    return Settings(**values)
