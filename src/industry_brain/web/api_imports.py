"""Departmental imports in the JSON API: preview and upload a file, list batches, read a batch's
rejects, restore a superseded batch. Analysts and admins for every source; a department for its
own sources (ingest/access.py). The body is gated by web/uploads.py before it is read."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.errors import IndustryBrainError
from industry_brain.core.scope import Scope
from industry_brain.ingest.access import importable_sources
from industry_brain.ingest.batches import list_batches, rejects_table
from industry_brain.ingest.models import ImportBatch
from industry_brain.ingest.service import import_file, preview_import, restore
from industry_brain.ingest.supersede import ConfirmationNeeded, Mode
from industry_brain.ingest.templates import SOURCES
from industry_brain.web.api import ERRORS, Detail, Token, signed_in
from industry_brain.web.security import client_address, context

FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {
        "model": Detail,
        "description": "管理员与分析员导入各来源，部门只导入本部门的来源 (admins and analysts: every "
        "source; a department: its own)",
    }
}
CONFIRM: dict[str, Any] = {
    "description": "需要确认：预览见 preview (confirm first; the preview is in `preview`)"
}
TOO_LARGE: dict[str, Any] = {"model": Detail, "description": "文件超过上限 max_file_bytes (body too large)"}
router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


def _safe_name(name: str | None) -> str:
    """The upload's own file name (its suffix tells the reader the format), without folders."""
    from industry_brain.web.errors import upload_name

    return upload_name(name)  # a name that is only dots is a 400


def _save(upload: UploadFile, folder: FilePath, limit: int) -> FilePath:
    path = folder / _safe_name(upload.filename)
    written = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise IndustryBrainError(f"{path.name}：文件超过 {limit / 1024 / 1024:.0f} MB 上限")
            out.write(chunk)
    return path


@router.post("", responses={**ERRORS, **FORBIDDEN, 400: {"model": Detail}, 409: CONFIRM, 413: TOO_LARGE})
def upload(
    request: Request,
    token: Token,
    file: UploadFile,
    source: Annotated[str, Form(max_length=20)],
    period: Annotated[str | None, Form(max_length=10)] = None,
    supplement: Annotated[bool, Form()] = False,
    mode: Annotated[Literal["auto", "replace", "supplement"], Form()] = "auto",
    confirm: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
    sheet: Annotated[str | None, Form(max_length=100)] = None,
) -> Any:
    """导入一个部门文件 (import one departmental file; same rules as `industry-brain import`).

    `dry_run=true` answers the preview and writes nothing. A file that would take figures away
    from enterprises of the active batch answers 409 with the preview until sent with
    `confirm=true` (or `mode=replace`); one that would empty most of it is taken as a supplement
    unless `mode=replace`."""
    source = source.replace("\x00", "")
    with signed_in(token) as (session, scope):
        _require_source(scope, source)
        settings = context().settings
        folder = FilePath(tempfile.mkdtemp(prefix="ib-upload-"))
        try:
            path = _save(file, folder, settings.max_file_bytes)
            args: dict[str, Any] = {
                "path": path,
                "source": source,
                "period": period or None,
                "settings": settings,
                "sheet": sheet.replace("\x00", "") if sheet else None,
            }
            chosen: Mode = "supplement" if supplement else mode
            if dry_run:
                return preview_import(session, mode=chosen, **args).to_json()
            try:
                result = import_file(session, mode=chosen, confirmed=confirm, user=scope.username, **args)
            except ConfirmationNeeded as exc:
                return JSONResponse({"detail": str(exc), "preview": exc.plan.to_json()}, status_code=409)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        audit(
            session,
            scope=scope,
            action="import.file",
            target=f"batch:{result.batch_id}",
            detail={
                "file": result.file,
                "source": result.source,
                "period": result.period,
                "unchanged": result.unchanged,
                "action": result.action,
                "superseded": result.superseded,
            },
            address=client_address(request),
        )
    return result.to_json()


def _require_source(scope: Scope, source: str) -> None:
    allowed = importable_sources(scope)
    if not allowed:
        raise HTTPException(status_code=403, detail="无权访问 (forbidden for this role)")
    if source in SOURCES and source not in allowed:
        raise HTTPException(status_code=403, detail=f"无权导入来源“{source}”；可导入：{'、'.join(allowed)}")


def _own_batch(session: Session, scope: Scope, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.source not in importable_sources(scope):
        raise NotFound()
    return batch


@router.get("/batches", responses={**ERRORS, **FORBIDDEN})
def batches(token: Token, source: Annotated[str | None, Query(max_length=20)] = None) -> list[dict[str, Any]]:
    """导入批次 (import batches, oldest first; a department's own sources only)."""
    with signed_in(token) as (session, scope):
        _require_source(scope, "")
        allowed = importable_sources(scope)
        rows = list_batches(session, source=source.replace("\x00", "") if source else None)
        return [r for r in rows if r["source"] in allowed]


@router.get("/batches/{batch_id}/rejects", responses={**ERRORS, **FORBIDDEN, 404: {"model": Detail}})
def rejects(
    batch_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    request: Request,
    token: Token,
) -> dict[str, Any]:
    """一个批次的退回行及原因 (a batch's rejected rows as sent, with the reasons)."""
    with signed_in(token) as (session, scope):
        _require_source(scope, "")
        _own_batch(session, scope, batch_id)
        table, title = rejects_table(session, batch_id=batch_id)
        audit(
            session,
            scope=scope,
            action="import.rejects.read",
            target=f"batch:{batch_id}",
            address=client_address(request),
        )
    return {"batch_id": batch_id, "title": title, "columns": table.columns, "rows": table.rows()}


@router.post(
    "/batches/{batch_id}/restore",
    responses={**ERRORS, **FORBIDDEN, 400: {"model": Detail}, 404: {"model": Detail}},
)
def restore_route(
    batch_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    request: Request,
    token: Token,
) -> dict[str, Any]:
    """恢复一个被替代的批次 (make a superseded batch active again; what superseded it becomes
    superseded; nothing is deleted)."""
    with signed_in(token) as (session, scope):
        _require_source(scope, "")
        _own_batch(session, scope, batch_id)
        outcome = restore(session, batch_id=batch_id)
        audit(
            session,
            scope=scope,
            action="import.restore",
            target=f"batch:{batch_id}",
            detail=outcome,
            address=client_address(request),
        )
    return outcome
