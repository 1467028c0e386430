"""商品 page, import and export. The chosen file is read and checked whole; every bad row is listed
with its line and reason and nothing is written. A clean file is checked again and written in
one transaction while a progress bar follows it (a big file takes a few seconds)."""

from __future__ import annotations

import asyncio
import threading

import reflex as rx

from qihang_app.domain.catalog_rows import COLUMNS
from qihang_app.i18n import tr
from qihang_app.services import catalog_import as io_service
from qihang_app.services.errors import ServiceError
from state.auth import current_actor, explain, lang_of, refuse, translate
from state.offloop import in_session
from state.products import ProductsState

SHOWN_PROBLEMS = 200
COLUMN_LABEL = {name: (zh, en) for name, zh, en in COLUMNS} | {
    "price_fen": ("售价(元)", "price"),
    "cost_fen": ("成本价(元)", "cost"),
}


class CatalogImportState(rx.State):
    dialog: bool = False
    phase: str = "pick"  # pick → checking → checked (problems or ready) → importing → done
    file_name: str = ""
    error: str = ""
    problems: list[dict[str, str]] = []
    problem_count: int = 0
    summary: str = ""
    progress: int = 0
    _data: bytes = b""

    @rx.event
    def open(self):
        self.dialog, self.phase, self.error, self.problems, self.problem_count = True, "pick", "", [], 0
        self.summary, self.file_name, self.progress, self._data = "", "", 0, b""

    @rx.event
    def set_dialog(self, value: bool):
        if self.phase != "importing":  # an import in flight finishes; the dialog stays to show it
            self.dialog = value

    @rx.event
    async def check(self, files: list[rx.UploadFile]):
        if not files:
            return
        upload = files[0]
        self.file_name = upload.filename or upload.name or ""
        data = await upload.read()
        self.error, self.problems, self.problem_count, self.summary = "", [], 0, ""
        self.phase = "checking"
        yield  # the dialog says it is reading the file (10,000 rows take a moment)
        try:
            actor = await current_actor(self)
            name = self.file_name
            result = await in_session(lambda s: io_service.check_file(s, actor=actor, filename=name, data=data))
        except ServiceError as exc:
            self.error, self.phase = await explain(self, exc), "pick"
            return
        except Exception as exc:
            self.phase = "pick"
            yield await refuse(self, exc)
            return
        lang = await lang_of(self)
        en = lang == "en"
        self.problem_count = len(result.problems)
        self.problems = [
            {
                "line": str(p.line),
                "column": COLUMN_LABEL.get(p.column, (p.column, p.column))[1 if en else 0] if p.column else "",
                "message": tr(p.key, lang, **p.params),
            }
            for p in result.problems[:SHOWN_PROBLEMS]
        ]
        self._data = b"" if result.problems else data
        self.summary = await translate(
            self,
            "catalog.import.summary",
            rows=len(result.rows),
            products=result.new_products,
            created=result.new_skus,
            updated=result.updated_skus,
        )
        self.phase = "checked"

    @rx.event(background=True)
    async def run(self):
        """Check again and write, in one transaction, with the progress shown as it goes."""
        async with self:
            if self.phase != "checked" or not self._data:
                return
            try:
                actor = await current_actor(self)
            except Exception as exc:
                return await refuse(self, exc)
            data, name = self._data, self.file_name
            self.phase, self.progress = "importing", 0
        seen = {"done": 0, "total": 1}
        finished = threading.Event()

        def work(session):
            try:
                check = io_service.check_file(session, actor=actor, filename=name, data=data)
                return io_service.apply_import(
                    session, actor=actor, check=check, progress=lambda d, t: seen.update(done=d, total=t)
                )
            finally:
                finished.set()

        task = asyncio.ensure_future(in_session(work))
        while not finished.is_set():
            await asyncio.sleep(0.3)
            async with self:
                self.progress = min(99, seen["done"] * 100 // max(1, seen["total"]))
        try:
            result = await task
        except ServiceError as exc:
            async with self:
                self.error, self.phase = await explain(self, exc), "pick"
            return
        async with self:
            self.progress, self.phase, self._data = 100, "done", b""
            self.summary = await translate(self, "catalog.import.done", **result)
        async with self:
            await (await self.get_state(ProductsState))._refresh()

    @rx.event
    async def export(self, kind: str):
        try:
            actor = await current_actor(self)
            data = await in_session(lambda s: io_service.export_file(s, actor=actor, kind=kind))
        except Exception as exc:
            return await refuse(self, exc)
        return rx.download(data=data, filename=f"products.{kind}")
