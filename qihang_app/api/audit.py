"""GET /api/audit (JSON, one page) and GET /api/audit.csv (the whole selection; recorded as an export)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from qihang_app.services import audit
from qihang_app.services.audit_csv import to_csv

from .guard import engine_of, requires


def _filters(request: Request) -> audit.AuditFilter:
    q = request.query_params

    def when(name: str) -> datetime | None:
        try:
            value = datetime.fromisoformat(q[name]) if q.get(name) else None
        except ValueError:
            return None
        return value if value is None or value.tzinfo else None  # a naive time is nobody's time

    return audit.AuditFilter(
        who=q.get("who", "")[:100],
        action=q.get("action", "")[:100],
        target_kind=q.get("target_kind", "")[:50],
        target_id=q.get("target_id", "")[:50],
        text=q.get("q", "")[:200],
        since=when("since"),
        until=when("until"),
    )


def _page(engine, actor, filters: audit.AuditFilter, page: int) -> dict:
    with Session(engine) as session:
        rows, total = audit.search(session, actor=actor, filters=filters, page=page)
        return {"total": total, "page": page, "entries": [audit.as_dict(r) for r in rows]}


def _export(engine, actor, filters: audit.AuditFilter) -> str:
    with Session(engine) as session:
        rows = audit.export_rows(session, actor=actor, filters=filters)
        session.commit()  # the export's own entry
        return to_csv(rows)


@requires("audit.view")
async def entries(request: Request) -> JSONResponse:
    page = request.query_params.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    body = await asyncio.to_thread(_page, engine_of(request), request.state.actor, _filters(request), page)
    return JSONResponse(body)


@requires("audit.export")
async def export(request: Request) -> Response:
    text = await asyncio.to_thread(_export, engine_of(request), request.state.actor, _filters(request))
    return Response(
        text.encode("utf-8-sig"),  # with a BOM: Excel opens Chinese text correctly
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
