"""Files attached to a step of a case: checked and stored as appeals' 证明材料 are (the same
checks: allowed kinds by name and by content, size and count limits; generated names in a folder
outside the web root), kept in `<evidence_dir>/requests`, and read back only for a scope that
may see the case. The uploaded name is only ever displayed, never a path."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.core.settings import Settings

# The appeal evidence code is the platform's one file gate for uploads by enterprises; reused
# here rather than copied so both keep the same rules.
from industry_brain.evaluation.evidence import Evidence, evidence_dir, store_files
from industry_brain.requests.models import EnterpriseRequest, RequestAttachment, RequestEvent
from industry_brain.requests.service import get_case

__all__ = ["Evidence", "read_attachment", "store_attachments"]


def attachments_dir(settings: Settings) -> Path:
    return evidence_dir(settings) / "requests"


def store_attachments(
    session: Session,
    *,
    case: EnterpriseRequest,
    event: RequestEvent | None,
    files: Sequence[Evidence],
    by: str,
    settings: Settings,
) -> list[RequestAttachment]:
    rows = []
    for fields in store_files(files, folder=attachments_dir(settings), settings=settings):
        row = RequestAttachment(
            request_id=case.id, event_id=event.id if event else None, uploaded_by=by, **fields
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def read_attachment(
    session: Session, *, attachment_id: int, scope: Scope, settings: Settings
) -> tuple[bytes, str, str]:
    """(content, file name, media type); NotFound unless the scope may see the case."""
    row = session.get(RequestAttachment, attachment_id)
    if row is None:
        raise NotFound()
    get_case(session, scope=scope, request_id=row.request_id)  # NotFound outside the scope
    path = attachments_dir(settings) / Path(row.stored_name).name
    if not path.is_file():
        raise IndustryBrainError(f"附件“{row.file_name}”的文件已不在存储目录中，请联系管理员")
    return path.read_bytes(), row.file_name, row.media_type
