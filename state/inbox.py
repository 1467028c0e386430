"""数据接收: inbox rows that failed to parse or to verify, with replay. Admins and managers."""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx

from qihang_app.domain.display import format_time
from qihang_app.domain.inbox_reasons import inbox_reason
from qihang_app.i18n import tr
from qihang_app.services import inbox_problems
from state.auth import current_actor, explain, refuse, translate
from state.offloop import in_session
from state.permissions import requires


class InboxState(rx.State):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    page_size: int = 20
    f_status: str = ""  # "" = failed and rejected
    counts: dict[str, int] = {}

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @rx.event
    @requires("page.inbox")
    async def load(self):
        return await self._refresh()

    async def _refresh(self):
        status, page, page_size = self.f_status or None, self.page, self.page_size
        try:
            actor = await current_actor(self)
            result = await in_session(
                lambda s: inbox_problems.list_problems(s, actor=actor, status=status, page=page, page_size=page_size)
            )
        except Exception as exc:
            return await refuse(self, exc)
        now = datetime.now(UTC)
        self.total = result.total
        self.counts = {k: int(v) for k, v in result.counts.items()}
        self.rows = [
            {
                "id": str(r.id),
                "source": r.source,
                "kind": r.kind,
                "shop": r.shop_name,
                "store": r.store_name,
                "received": format_time(r.received_at, now),
                "status": r.status,
                "error": r.error,
                # the plain reason first, in both languages (the page picks by the switch)
                "reason": tr(inbox_reason(r.status, r.error), "zh"),
                "reason_en": tr(inbox_reason(r.status, r.error), "en"),
                "attempts": str(r.attempts),
                "preview": r.preview,
            }
            for r in result.rows
        ]

    @rx.event
    @requires("page.inbox")
    async def set_status(self, value: str):
        self.f_status = "" if value == "all" else value
        self.page = 1
        return await self._refresh()

    @rx.event
    @requires("page.inbox")
    async def go_page(self, page: int):
        self.page = min(max(1, page), self.pages)
        return await self._refresh()

    @rx.event
    @requires("inbox.replay")
    async def replay(self, inbox_id: str):
        return await self._replay(inbox_ids=[int(inbox_id)])

    @rx.event
    @requires("inbox.replay")
    async def replay_all(self):
        return await self._replay(all_rows=True)

    async def _replay(self, *, inbox_ids: list[int] | None = None, all_rows: bool = False):
        status = self.f_status or None
        try:
            actor = await current_actor(self)
            count = await in_session(
                lambda s: inbox_problems.replay_inbox(s, actor=actor, inbox_ids=inbox_ids, all=all_rows, status=status)
            )
        except ValueError as exc:
            return rx.toast.error(await explain(self, exc))
        except Exception as exc:
            return await refuse(self, exc)
        await self._refresh()
        return rx.toast.success(await translate(self, "inbox.replayed", n=count))
