"""Departmental imports in the JSON API: upload a file, list batches, read a batch's rejects.
Analysts and admins only (the files hold every enterprise's figures)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile

from industry_brain.core.auth import NotFound, audit
from industry_brain.core.errors import IndustryBrainError
from industry_brain.ingest.batches import list_batches, rejects_table
from industry_brain.ingest.models import ImportBatch
from industry_brain.ingest.service import import_file
from industry_brain.web.api import ERRORS, Detail, Token, require_roles, signed_in
from industry_brain.web.security import client_address, context

IMPORTERS = ("admin", "analyst")
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": Detail, "description": "仅限管理员与分析员 (admins and analysts only)"}
}
router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


def _safe_name(name: str | None) -> str:
    """The upload's own file name (its suffix tells the reader the format), without folders."""
    base = FilePath((name or "upload").replace("\\", "/")).name.replace("\x00", "")
    return base[-200:] or "upload"


def _save(upload: UploadFile, folder: FilePath, limit: int) -> FilePath:
    path = folder / _safe_name(upload.filename)
    written = 0
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise IndustryBrainError(f"{path.name}: 文件超过 {limit} 字节上限 (file too large)")
            out.write(chunk)
    return path


@router.post("", responses={**ERRORS, **FORBIDDEN, 400: {"model": Detail}})
def upload(
    request: Request,
    token: Token,
    file: UploadFile,
    source: Annotated[str, Form(max_length=20)],
    period: Annotated[str | None, Form(max_length=10)] = None,
    supplement: Annotated[bool, Form()] = False,
    sheet: Annotated[str | None, Form(max_length=100)] = None,
) -> dict[str, Any]:
    """导入一个部门文件 (import one departmental file; same rules as `industry-brain import`)."""
    with signed_in(token) as (session, scope):
        require_roles(scope, *IMPORTERS)
        settings = context().settings
        folder = FilePath(tempfile.mkdtemp(prefix="ib-upload-"))
        try:
            path = _save(file, folder, settings.max_file_bytes)
            result = import_file(
                session,
                path=path,
                source=source.replace("\x00", ""),
                period=period or None,
                supplement=supplement,
                settings=settings,
                user=scope.username,
                sheet=sheet.replace("\x00", "") if sheet else None,
            )
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
            },
            address=client_address(request),
        )
    return result.to_json()


@router.get("/batches", responses={**ERRORS, **FORBIDDEN})
def batches(token: Token, source: Annotated[str | None, Query(max_length=20)] = None) -> list[dict[str, Any]]:
    """导入批次 (import batches, oldest first)."""
    with signed_in(token) as (session, scope):
        require_roles(scope, *IMPORTERS)
        return list_batches(session, source=source.replace("\x00", "") if source else None)


@router.get("/batches/{batch_id}/rejects", responses={**ERRORS, **FORBIDDEN, 404: {"model": Detail}})
def rejects(
    batch_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    request: Request,
    token: Token,
) -> dict[str, Any]:
    """一个批次的退回行及原因 (a batch's rejected rows as sent, with the reasons)."""
    with signed_in(token) as (session, scope):
        require_roles(scope, *IMPORTERS)
        if session.get(ImportBatch, batch_id) is None:
            raise NotFound()
        table, title = rejects_table(session, batch_id=batch_id)
        audit(
            session,
            scope=scope,
            action="import.rejects.read",
            target=f"batch:{batch_id}",
            address=client_address(request),
        )
    return {"batch_id": batch_id, "title": title, "columns": table.columns, "rows": table.rows()}
