"""/api/openapi.json and /api/docs: QiHang's ERP API for a developer who never saw the code.

The schemas come from the pydantic models the routes validate with (erp_schema), so the document
cannot drift from what the API accepts. /api/docs renders it as one self-contained page.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from . import erp_schema as s
from .erp import PREFIX
from .openapi_text import description

REF = "#/components/schemas/{model}"
SIGNED = [{"QiHangKey": [], "QiHangTimestamp": [], "QiHangSignature": []}]
ENDPOINTS = (
    ("shipments", s.ShipmentIn, s.ShipmentOut, "A shipment of an order", "Stores the package; when the packages cover "
     "the whole order it moves to shipped (已发货 / 配送中) and the platform is told. The same shipment twice is one."),
    ("cancel-results", s.CancelResultIn, s.CancelResultOut, "The result of a cancel", "Answers an order.cancelled push."),
    ("aftersale-results", s.AftersaleResultIn, s.AftersaleResultOut, "The result of an after-sale",
     "Stored as sent for the after-sales center; answers whether it was new."),
)  # fmt: skip


def _schemas() -> dict:
    found: dict = {}
    for model in s.MODELS:
        schema = model.model_json_schema(ref_template=REF)
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def _errors(*statuses: int) -> dict:
    ref = {"$ref": REF.format(model="ErrorOut")}
    return {
        str(c): {"description": "Refused (see the error table)", "content": {"application/json": {"schema": ref}}}
        for c in statuses
    }


@lru_cache(maxsize=1)
def spec() -> dict:
    paths = {}
    for path, body, answer, summary, text in ENDPOINTS:
        paths[f"{PREFIX}/{path}"] = {
            "post": {
                "summary": summary,
                "description": text,
                "operationId": re.sub(r"\W", "_", path),
                "security": SIGNED,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": REF.format(model=body.__name__)}}},
                },
                "responses": {
                    "200": {
                        "description": "Taken",
                        "content": {"application/json": {"schema": {"$ref": REF.format(model=answer.__name__)}}},
                    },
                    **_errors(400, 401, 403, 404, 409, 413, 422),
                },
            }
        }
    headers = {
        "QiHangKey": "X-QiHang-Key",
        "QiHangTimestamp": "X-QiHang-Timestamp",
        "QiHangSignature": "X-QiHang-Signature",
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "QiHang OMS · ERP API", "version": "1.0.0", "description": description()},
        "paths": paths,
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {n: {"type": "apiKey", "in": "header", "name": h} for n, h in headers.items()},
        },
    }


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(spec())


def _markdown(text: str) -> str:
    """The small Markdown the description uses: headings, tables, code spans, paragraphs."""
    out, table = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not all(set(c) <= {"-", " "} for c in cells):
                table.append(cells)
            continue
        if table:
            head, *rows = table
            out.append("<table><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in rows]
            out.append("</table>")
            table = []
        if line.startswith("## "):
            out.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    return "\n".join(out)


def _inline(text: str) -> str:
    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", escaped)


def _fields(name: str, schemas: dict) -> str:
    schema = schemas[name]
    required = set(schema.get("required", ()))
    rows = []
    for field, info in schema.get("properties", {}).items():
        kind = info.get("type") or " | ".join(x.get("type", "object") for x in info.get("anyOf", [])) or "object"
        if "enum" in info:
            kind += " (" + ", ".join(map(str, info["enum"])) + ")"
        mark = "yes" if field in required else ""
        rows.append(
            f"<tr><td><code>{field}</code></td><td>{html.escape(kind)}</td><td>{mark}</td><td>{html.escape(info.get('description', ''))}</td></tr>"
        )
    head = "<tr><th>field</th><th>type</th><th>required</th><th>meaning</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


@lru_cache(maxsize=1)
def docs_page() -> str:
    doc, parts = spec(), []
    schemas = doc["components"]["schemas"]
    for path, body, answer, summary, text in ENDPOINTS:
        parts.append(f"<h2>POST {PREFIX}/{path}</h2><p><b>{html.escape(summary)}.</b> {html.escape(text)}</p>")
        parts.append(f"<h3>Body: {body.__name__}</h3>{_fields(body.__name__, schemas)}")
        parts.append(f"<h3>200: {answer.__name__}</h3>{_fields(answer.__name__, schemas)}")
    style = (
        "body{font-family:system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;max-width:960px;margin:2em auto;"
        "padding:0 1em;line-height:1.5;color:#1c2024}table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}"
        "td,th{border:1px solid #d9d9e0;padding:4px 8px;text-align:left;vertical-align:top;font-size:14px}"
        "code{background:#f0f0f3;padding:0 3px;border-radius:3px}h2{border-bottom:1px solid #d9d9e0;margin-top:2em}"
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
        f"content='width=device-width,initial-scale=1'><title>{html.escape(doc['info']['title'])}</title>"
        f"<style>{style}</style></head><body><h1>{html.escape(doc['info']['title'])}</h1>"
        f"<p>Machine-readable: <a href='/api/openapi.json'>/api/openapi.json</a> (OpenAPI 3.0).</p>"
        f"{_markdown(doc['info']['description'])}{''.join(parts)}</body></html>"
    )


async def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(docs_page())


routes = [
    Route("/api/openapi.json", openapi_json, methods=["GET"]),
    Route("/api/docs", docs, methods=["GET"]),
]
