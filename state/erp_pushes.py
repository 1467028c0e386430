"""推送记录: every ERP push with the ERP's answer in plain words, filters in the URL, re-push."""

from __future__ import annotations

import reflex as rx

from qihang_app.domain.display import format_time
from qihang_app.i18n import render
from qihang_app.models import utcnow
from qihang_app.services import erp_log, erp_manual
from qihang_app.services import stores as store_service
from state.auth import current_actor, refuse, translate
from state.offloop import in_session
from state.orders import fmt_dt

EVENT_WORDS = {
    "order.created": "erp.event.order",
    "order.cancelled": "erp.event.cancel",
    "aftersale.created": "erp.event.aftersale",
}


def _row(r: erp_log.PushRow) -> dict[str, str]:
    return {
        "id": str(r.id),
        "order_id": str(r.order_id),
        "no": r.display_no,
        "platform": r.platform,
        "event": EVENT_WORDS.get(r.event, r.event),
        "status": r.status,
        "attempts": str(r.attempts),
        "next": format_time(r.next_attempt_at, utcnow()) if r.next_attempt_at else "",
        "answer": render(r.answer, "zh"),
        "answer_en": render(r.answer, "en"),
        "key": r.idempotency_key,
        "at": fmt_dt(r.created_at),
    }


class ErpPushesState(rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    f_state: str = "all"
    f_store: str = ""
    f_query: str = ""
    store_options: list[dict[str, str]] = []

    @rx.var
    def pages(self) -> int:
        return max(1, (self.total + erp_log.PAGE - 1) // erp_log.PAGE)

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        state = params.get("state", "all")
        self.f_state = state if state in erp_log.FILTERS else "all"
        self.f_store = params.get("store", "") if params.get("store", "").isdigit() else ""
        self.f_query, self.page = params.get("q", "")[:40], 1
        return await self._refresh()

    async def _refresh(self):
        try:
            actor = await current_actor(self)
            store_id = int(self.f_store) if self.f_store else None

            def read(session):
                rows, total = erp_log.list_pushes(
                    session, actor=actor, state=self.f_state, store_id=store_id, search=self.f_query, page=self.page
                )
                return [_row(r) for r in rows], total, store_service.list_stores(session, actor=actor)

            self.rows, self.total, stores = await in_session(read)
        except Exception as exc:
            return await refuse(self, exc)
        self.store_options = [{"id": str(s.id), "name": s.name} for s in stores]
        query = "&".join(
            f"{k}={v}"
            for k, v in (("state", self.f_state), ("store", self.f_store), ("q", self.f_query))
            if v and v != "all"
        )
        return rx.call_script(f"window.history.replaceState(null, '', '/erp/pushes{'?' + query if query else ''}')")

    @rx.event
    async def set_state_filter(self, value: str):
        self.f_state, self.page = (value if value in erp_log.FILTERS else "all"), 1
        return await self._refresh()

    @rx.event
    async def set_store(self, value: str):
        self.f_store, self.page = ("" if value == "all" else value), 1
        return await self._refresh()

    @rx.event
    async def search(self, form: dict):
        self.f_query, self.page = str(form.get("q", "")).strip()[:40], 1
        return await self._refresh()

    @rx.event
    async def go_page(self, page: int):
        self.page = min(max(1, page), self.pages)
        return await self._refresh()

    @rx.event
    async def repush(self, push_id: str):
        try:
            actor = await current_actor(self)
            done = await in_session(lambda s: erp_manual.repush(s, actor=actor, outbox_id=int(push_id)))
        except Exception as exc:
            return await refuse(self, exc)
        message = await translate(self, "erp.ui.repushed" if done else "erp.ui.not_dead")
        await self._refresh()
        return rx.toast.success(message) if done else rx.toast.info(message)
