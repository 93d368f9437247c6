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
    """Most rows a sheet or CSV may have (an .xlsx/.ods sheet also stops at Excel's 1,048,576);
    a workbook's cells are counted before it is loaded."""

    max_shared_strings: int = 20_000_000
    """Most strings an .xlsx's shared-strings table may declare or hold (a loader reserves room
    for as many as it declares), checked before the workbook is loaded."""

    import_read_seconds: int = 120
    """Time budget, in seconds, for reading one workbook (.xlsx/.xls/.ods: the safety scan and
    the load, in a child process); a read that takes longer is stopped and the file refused.
    0 = no budget: the workbook is read in the importing process itself."""

    import_read_memory_mb: int = 8192
    """Memory budget, in MB of address space, of the child process that reads one workbook; a
    read that needs more is stopped and the file refused."""

    supersede_max_loss_share: float = 0.5
    """A file that would leave more than this share of the active batch's enterprises without
    figures is imported as a supplement unless the user says it replaces the batch."""

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

    forwarded_allow_ips: str = ""
    """Addresses of reverse proxies whose X-Forwarded-For / -Proto headers are trusted
    (comma-separated, or * for any); the audit log and the sign-in limit then see the client's
    own address, and HTTPS behind the proxy gets HSTS and Secure cookies. Empty (the default)
    trusts no proxy: the headers are ignored, so no client can pick its own address."""

    pdf_font: str = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    """Font file (.ttf, .otf or .ttc) embedded in the PDFs (evaluation notices, plan reviews); it
    must cover Chinese. The default is Debian's fonts-noto-cjk; a .ttc's Simplified Chinese face
    is used."""

    workday_calendar: str = ""
    """A calendar file of the shipped holidays.yaml format adding years (or a local arrangement)
    to the State Council's 放假安排 shipped for 2020-2026; empty: the shipped years only."""
    monitoring_rules: str = ""
    """A district's own alert rules file (docs/monitoring-rules.md) used instead of the shipped
    monitoring/rules/default.yaml; empty: the shipped rules. A file that does not validate is
    refused with its line and reason."""
    policies_dir: str = ""
    """Folder of a district's own policy files (docs/policies.md format, *.yaml), run beside the
    shipped ones; a file with a shipped policy's id is the district's version of it. Files are
    added with `industry-brain policies add`. Empty: the shipped policies only."""
    evidence_dir: str = ""
    """Directory where appeals' 证明材料 are stored, under generated names, outside the web root;
    empty = a folder beside the SQLite file (`<db>_evidence`), or `./industry_brain_evidence`
    for PostgreSQL. Files are served only through the appeal's scope check."""

    appeal_max_file_bytes: int = 10 * 1024 * 1024
    """Largest 证明材料 file an appeal may attach, in bytes."""

    appeal_max_files: int = 5
    """Most 证明材料 files one appeal may attach."""

    requests_rules_dir: str = ""
    """Folder with a district's own 涉企问题 rules files (categories.yaml, routing.yaml,
    states.yaml; any of them); a file not there is the shipped one. Empty: the shipped rules."""

    appeal_far_ratio: float = 0.2
    """A claimed figure more than this share away from every department's figure for the same
    enterprise, field and year (|claimed − figure| > ratio × |figure|) is flagged to the reviewer."""
    spark_master: str = "local[*]"
    """Where `--engine pyspark` runs: `local[*]` (this machine, every core), `local[2]`, or a
    standalone cluster's master, `spark://host:7077` (docs/deployment.md)."""

    spark_conf: str = ""
    """Further Spark configuration as a JSON object, e.g. `{"spark.executor.memory": "4g",
    "spark.cores.max": "8"}`; passed to the session as it is, over the platform's own."""
    job_workers: int = 1
    """How many job worker processes `industry-brain serve` starts beside the web server (0 = none:
    run `industry-brain jobs work` separately). Long work (bulk notices, runs started from a page)
    runs in them, never in the server's process."""

    jobs_dir: str = "./industry_brain_jobs"
    """Folder where jobs write their result files (one subfolder per job); keep it outside any web
    root: files are served only through the scoped, audited job download."""

    job_queue_per_user: int = 3
    """Jobs of one kind a user may have waiting besides the one running; more are refused."""

    job_poll_seconds: float = 1.0
    """How often an idle worker looks for queued jobs, in seconds."""

    job_stale_seconds: int = 120
    """A running job whose worker has not reported for this long is taken as abandoned (its worker
    died) and requeued once, then failed."""

    job_keep_days: int = 7
    """Finished jobs and their files are deleted this many days after they end."""

    gc_log: str = ""
    """A file to which the web server appends one line per garbage collection that pauses it
    5 ms or more (generation, milliseconds); empty: none. For measuring (bench/load_web.py)."""

    gc_thresholds: str = "7000,10,10"
    """The web server's garbage-collector thresholds, three integers `gen0,gen1,gen2` as
    Python's gc.set_threshold takes them, applied once the start-up heap is frozen; empty: the
    interpreter's own (700,10,10). With the heap frozen, the interpreter's own run a full
    collection every few seconds under load, each walking every page kept for its browser."""

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
