"""证明材料 of appeals: checking uploaded files (type by name and by content, size, count),
storing them outside the web root under generated names, reading them back only for a scope
that may see the appeal, and setting a claimed figure beside every department's figure for the
same enterprise, field and year (with the far-claim flag of settings.appeal_far_ratio)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings
from industry_brain.enterprises.models import Enterprise
from industry_brain.evaluation.models import Appeal, AppealAttachment, EvaluationRun

# Allowed kinds: suffix -> (media type, how the content must begin). xlsx and docx are zips.
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}
ALLOWED_TEXT = "PDF、图片（.jpg、.png）、Excel（.xlsx）、Word（.docx）"
DRAFT_READERS = frozenset({"admin", "analyst", "system"})


@dataclass(frozen=True)
class Evidence:
    """One uploaded file as received: the name the uploader gave and its bytes."""

    name: str
    content: bytes


def display_name(name: str) -> str:
    """The uploaded name made harmless for display and download headers: no folders (either
    slash), no control characters, at most 120 characters; never used as a path."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not base:
        return "证明材料"
    stem, dot, suffix = base.rpartition(".")
    if dot and len(base) > 120:
        return stem[: 119 - len(suffix)] + "." + suffix
    return base[:120]


def _kind(item: Evidence) -> tuple[str, str]:
    """(suffix, media type) of an allowed file; refuses others with the reason."""
    name = display_name(item.name)
    suffix = Path(name).suffix.lower()
    if suffix not in KINDS:
        raise IndustryBrainError(f"证明材料“{name}”的类型不允许：只收 {ALLOWED_TEXT}")
    media, magics = KINDS[suffix]
    if not item.content.startswith(magics):
        raise IndustryBrainError(f"证明材料“{name}”的内容与其扩展名 {suffix} 不符（文件可能已损坏或改过名）")
    return suffix, media


def check_evidence(files: Sequence[Evidence], *, settings: Settings) -> list[tuple[str, str]]:
    """Every file's (suffix, media type), after checking count, size and kind."""
    if len(files) > settings.appeal_max_files:
        raise IndustryBrainError(f"证明材料最多 {settings.appeal_max_files} 个，实为 {len(files)} 个")
    kinds = []
    for item in files:
        name = display_name(item.name)
        if not item.content:
            raise IndustryBrainError(f"证明材料“{name}”是空文件")
        if len(item.content) > settings.appeal_max_file_bytes:
            limit = settings.appeal_max_file_bytes / 1024 / 1024
            raise IndustryBrainError(f"证明材料“{name}”超过 {limit:g} MB 的上限")
        kinds.append(_kind(item))
    return kinds


def evidence_dir(settings: Settings) -> Path:
    """Where the files live: settings.evidence_dir, else beside the SQLite file, else
    ./industry_brain_evidence (never under the web server's static folders)."""
    if settings.evidence_dir:
        return Path(settings.evidence_dir)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.stem + "_evidence")
    return Path("industry_brain_evidence")


def store_evidence(
    session: Session, *, appeal: Appeal, files: Sequence[Evidence], by: str, settings: Settings
) -> list[AppealAttachment]:
    """Write each file under a generated name and record it against `appeal`."""
    stored = []
    for fields in store_files(files, folder=evidence_dir(settings), settings=settings):
        row = AppealAttachment(appeal_id=appeal.id, uploaded_by=by, **fields)
        session.add(row)
        stored.append(row)
    session.flush()
    return stored


def store_files(files: Sequence[Evidence], *, folder: Path, settings: Settings) -> list[dict[str, Any]]:
    """Check every file (type, content, size) and write each under a generated name in `folder`;
    the fields of each one's attachment row: file_name (shown, without folders), stored_name,
    media_type, size, sha256, uploaded_at. Appeals and 涉企问题 share it."""
    kinds = check_evidence(files, settings=settings)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for item, (suffix, media) in zip(files, kinds, strict=True):
        generated = uuid.uuid4().hex + suffix
        (folder / generated).write_bytes(item.content)
        out.append(
            {
                "file_name": display_name(item.name),
                "stored_name": generated,
                "media_type": media,
                "size": len(item.content),
                "sha256": hashlib.sha256(item.content).hexdigest(),
                "uploaded_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
            }
        )
    return out


def attachments_of(session: Session, appeal_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The attachments of each appeal (id, file_name, media_type, size), oldest first."""
    ids = list(appeal_ids)
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.scalars(
        select(AppealAttachment).where(AppealAttachment.appeal_id.in_(ids)).order_by(AppealAttachment.id)
    )
    for a in rows:
        out[a.appeal_id].append(
            {"attachment_id": a.id, "file_name": a.file_name, "media_type": a.media_type, "size": a.size}
        )
    return out


def read_attachment(
    session: Session, *, attachment_id: int, scope: Scope, settings: Settings
) -> tuple[bytes, str, str]:
    """(content, file name, media type) of an attachment; NotFound unless the scope may see the
    appeal (its enterprise in scope, and its run published unless the reader may see drafts)."""
    row = session.get(AppealAttachment, attachment_id)
    appeal = session.get(Appeal, row.appeal_id) if row is not None else None
    if row is None or appeal is None:
        raise NotFound()
    run = session.get(EvaluationRun, appeal.run_id)
    township = session.scalar(
        select(Enterprise.township_code).where(Enterprise.credit_code == appeal.credit_code)
    )
    if run is None or (run.status == "draft" and scope.role not in DRAFT_READERS):
        raise NotFound()
    if not scope.sees_enterprise(credit_code=appeal.credit_code, township_code=township):
        raise NotFound()
    path = evidence_dir(settings) / Path(row.stored_name).name
    if not path.is_file():
        raise IndustryBrainError(f"证明材料“{row.file_name}”的文件已不在存储目录中，请联系管理员")
    return path.read_bytes(), row.file_name, row.media_type


def department_figures(session: Session, *, credit_code: str, field: str, year: int) -> list[dict[str, Any]]:
    """Every department's figure for the enterprise's `field` in `year` (source, label, value),
    as the profile's 各部门原始数据 shows them; appeal corrections are not a department."""
    from industry_brain.ingest.corrections import CORRECTION_SOURCE
    from industry_brain.ingest.facts import resolve_enterprise
    from industry_brain.ingest.templates import SOURCE_LABELS

    figures = resolve_enterprise(session, credit_code=credit_code, years=[year]).candidates
    rows = figures.filter((figures["field"] == field) & (figures["source"] != CORRECTION_SOURCE))
    return [
        {
            "source": r["source"],
            "source_label": SOURCE_LABELS.get(r["source"], r["source"]),
            "value": r["value"],
        }
        for r in rows.sort("rank", "source").to_dicts()
        if r["value"] is not None
    ]


def far_claim(claimed: float | None, figures: Sequence[dict[str, Any]], *, ratio: float) -> bool | None:
    """True when `claimed` is more than `ratio` away from every figure (relative to that
    figure; from a zero figure any other value is far); None with nothing to compare."""
    values = [float(f["value"]) for f in figures if f.get("value") is not None]
    if claimed is None or not values:
        return None
    return all(abs(claimed - v) > ratio * abs(v) if v else claimed != 0 for v in values)
