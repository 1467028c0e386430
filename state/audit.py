"""审计日志: search the audit trail by who / action / target / date, and export it as CSV."""

from __future__ import annotations

from datetime import datetime, timedelta

import reflex as rx

from qihang_app.domain.clock import SHANGHAI
from qihang_app.i18n import MESSAGES
from qihang_app.services import audit as audit_service
from qihang_app.services.audit_csv import to_csv
from state.audit_rows import entry_row
from state.auth import current_actor, refuse
from state.offloop import in_session
from state.permissions import requires

ACTIONS = sorted(k.removeprefix("audit.act.") for k in MESSAGES if k.startswith("audit.act."))
TARGETS = ["order", "user", "role", "store", "shop", "inbox", "audit", "after_sale", "erp_result"]
ACTOR_KINDS = list(audit_service.ACTOR_KINDS)  # people, API keys, failed log ins


def _day(value: str, *, end: bool = False) -> datetime | None:
    """A yyyy-mm-dd of the date input as the start (or the end) of that Beijing day."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=SHANGHAI)
    except ValueError:
        return None
    return day + timedelta(days=1) if end else day


class AuditState(rx.State):
    entries: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    f_who: str = ""
    f_actor_kind: str = ""
    f_action: str = ""
    f_target: str = ""
    f_target_id: str = ""
    f_text: str = ""
    f_from: str = ""
    f_to: str = ""
    action_options: list[list[str]] = [[a, *MESSAGES[f"audit.act.{a}"]] for a in ACTIONS]
    target_options: list[list[str]] = [[k, *MESSAGES[f"audit.target.{k}"]] for k in TARGETS]

    def _filters(self) -> audit_service.AuditFilter:
        return audit_service.AuditFilter(
            who=self.f_who.strip()[:100],
            actor_kind=self.f_actor_kind,
            action=self.f_action,
            target_kind=self.f_target,
            target_id=self.f_target_id.strip()[:50],
            text=self.f_text.strip()[:200],
            since=_day(self.f_from),
            until=_day(self.f_to, end=True),
        )

    async def _load(self):
        try:
            actor = await current_actor(self)
            filters, page = self._filters(), self.page
            rows, total = await in_session(
                lambda s: (lambda found: ([entry_row(e) for e in found[0]], found[1]))(
                    audit_service.search(s, actor=actor, filters=filters, page=page)
                )
            )
        except Exception as exc:
            return await refuse(self, exc)
        self.entries, self.total = rows, total
        self.pages = max(1, -(-total // audit_service.PAGE_SIZE))

    @rx.event
    @requires("page.audit")
    async def load(self):
        """On entering the page; the URL may carry filters (?target=order&id=12, ?who=alice)."""
        query = self.router.url.query_parameters
        self.f_who = query.get("who", "")[:100]
        self.f_actor_kind = query.get("actor", "") if query.get("actor", "") in ACTOR_KINDS else ""
        self.f_target = query.get("target", "") if query.get("target", "") in TARGETS else ""
        self.f_target_id = query.get("id", "")[:50]
        self.page = 1
        return await self._load()

    @rx.event
    @requires("audit.view")
    async def search(self, form: dict):
        self.f_who = str(form.get("who") or "")[:100]
        self.f_target_id = str(form.get("target_id") or "")[:50]
        self.f_text = str(form.get("text") or "")[:200]
        self.f_from = str(form.get("from") or "")[:10]
        self.f_to = str(form.get("to") or "")[:10]
        self.page = 1
        return await self._load()

    @rx.event
    @requires("audit.view")
    async def set_action(self, value: str):
        self.f_action = "" if value == "all" else value
        self.page = 1
        return await self._load()

    @rx.event
    @requires("audit.view")
    async def set_target(self, value: str):
        self.f_target = "" if value == "all" else value
        self.page = 1
        return await self._load()

    @rx.event
    @requires("audit.view")
    async def set_actor_kind(self, value: str):
        self.f_actor_kind = value if value in ACTOR_KINDS else ""
        self.page = 1
        return await self._load()

    @rx.event
    @requires("audit.view")
    async def reset_filters(self):
        self.f_actor_kind = ""
        self.f_who = self.f_action = self.f_target = self.f_target_id = self.f_text = self.f_from = self.f_to = ""
        self.page = 1
        return await self._load()

    @rx.event
    @requires("audit.view")
    async def go_page(self, page: int):
        self.page = max(1, min(int(page), self.pages))
        return await self._load()

    @rx.event
    @requires("audit.export")
    async def export(self):
        """The whole selection as CSV (the export itself goes into the trail)."""
        try:
            actor = await current_actor(self)
            filters = self._filters()
            text = await in_session(lambda s: to_csv(audit_service.export_rows(s, actor=actor, filters=filters)))
        except Exception as exc:
            return await refuse(self, exc)
        stamp = datetime.now(SHANGHAI).strftime("%Y%m%d-%H%M")
        return rx.download(data=("\ufeff" + text).encode("utf-8"), filename=f"audit-{stamp}.csv")
