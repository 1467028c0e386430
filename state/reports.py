"""报表 page: period presets or two days, store / platform filters, the previous period beside it,
charts, the heat map and every report table of services/reports/registry.py with its exports."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from urllib.parse import urlencode

import reflex as rx

from qihang_app.domain.clock import SHANGHAI
from qihang_app.domain.report_period import PRESETS, Period, custom_period, preset_period
from qihang_app.i18n import tr
from qihang_app.services import stores as store_service
from qihang_app.services.reports import export, registry
from qihang_app.services.reports.query import ReportQuery
from state.auth import current_actor, lang_of, refuse
from state.offloop import in_read_session, in_session
from state.permissions import requires

# the tables the page shows, in order; charts and the heat map are drawn from some of them
PAGE_TABLES = (
    "sales_day", "sales_platform", "sales_store", "sales_shop", "top_quantity", "top_amount",
    "fulfil_store", "fulfil_day", "cancels", "delivery_carrier", "delivery_day",
)  # fmt: skip
HEAT_LEVELS = 6


@dataclasses.dataclass
class TableView:
    key: str = ""
    title: str = ""
    headers: list[str] = dataclasses.field(default_factory=list)
    rows: list[list[str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class KpiView:
    label: str = ""
    value: str = ""
    previous: str = ""
    change: str = ""
    up: bool = True


@dataclasses.dataclass
class HeatCell:
    n: int = 0
    level: int = 0  # 0 (none) … HEAT_LEVELS - 1 (the busiest hour)


def _int_or_none(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def heat_levels(grid: list[list[int]]) -> list[list[HeatCell]]:
    top = max((n for row in grid for n in row), default=0)
    return [[HeatCell(n=n, level=0 if not n else 1 + (n * (HEAT_LEVELS - 2)) // top) for n in row] for row in grid]


class ReportsState(rx.State):
    preset: str = "last7"
    f_from: str = ""
    f_to: str = ""
    f_store: str = ""
    f_platform: str = ""
    period_text: str = ""
    compare_text: str = ""
    error: str = ""
    loading: bool = False
    store_options: list[dict[str, str]] = []
    kpis: list[KpiView] = []
    days: list[dict[str, str | float | int]] = []  # chart points: day, paid (yuan), orders
    platforms: list[dict[str, str | float | int]] = []
    tables: list[TableView] = []
    heat: list[list[HeatCell]] = []
    heat_by_hour: list[list[HeatCell]] = []  # the same grid turned (hours as rows) for phones
    weekdays: list[str] = []
    has_orders: bool = False

    def _period(self) -> Period | None:
        if self.preset == "custom":
            return custom_period(self.f_from, self.f_to)
        return preset_period(self.preset, datetime.now(SHANGHAI).date())

    @rx.event
    @requires("page.reports")
    async def load(self):
        params = self.router.url.query_parameters
        self.preset = params.get("preset", "") if params.get("preset", "") in PRESETS else "last7"
        self.f_from, self.f_to = params.get("from", ""), params.get("to", "")
        self.f_store, self.f_platform = params.get("store", ""), params.get("platform", "")
        async for update in self._refresh():
            yield update

    async def _query(self) -> ReportQuery | None:
        actor = await current_actor(self)
        period = self._period()
        if period is None:
            self.error = tr("reports.err.period", await lang_of(self))
            return None
        self.error = ""
        self.f_from, self.f_to = period.first.isoformat(), period.last.isoformat()
        return ReportQuery(
            actor=actor, period=period, store_id=_int_or_none(self.f_store), platform=self.f_platform or None
        )

    async def _refresh(self):
        try:
            q = await self._query()
        except Exception as exc:
            yield await refuse(self, exc)
            return
        if q is None:
            return
        lang = await lang_of(self)
        self.loading = True
        yield

        def read(session):
            # plain values: the read-only session's rollback expires ORM rows
            stores = [{"id": str(s.id), "name": s.name} for s in store_service.list_stores(session, actor=q.actor)]
            tables = {key: registry.table(session, key, q, lang) for key in ("summary", "heatmap", *PAGE_TABLES)}
            return stores, tables

        try:
            stores, tables = await in_read_session(read)
        except Exception as exc:
            self.loading = False
            yield await refuse(self, exc)
            return
        self.store_options = stores
        self._show(q, tables, lang)
        self.loading = False
        yield rx.call_script(f"window.history.replaceState(null, '', '/reports{self._query_string()}')")

    def _query_string(self) -> str:
        values = {"preset": self.preset, "store": self.f_store, "platform": self.f_platform}
        if self.preset == "custom":
            values |= {"from": self.f_from, "to": self.f_to}
        qs = urlencode({k: v for k, v in values.items() if v})
        return f"?{qs}" if qs else ""

    def _show(self, q: ReportQuery, tables: dict, lang: str) -> None:
        prev = q.period.previous()
        self.period_text = tr("reports.period", lang, first=q.period.first.isoformat(), last=q.period.last.isoformat())
        self.compare_text = tr("reports.compare", lang, first=prev.first.isoformat(), last=prev.last.isoformat())
        summary = tables["summary"]
        self.kpis = [
            KpiView(label=c[0], value=c[1], previous=c[2], change=c[3], up=not c[3].startswith("-"))
            for c in summary.cells
        ]
        self.has_orders = any(v[1] for v in summary.values[:1])
        day_table = tables["sales_day"]
        self.days = [
            {"day": v[0][5:], "paid": int(v[3]) / 100, "orders": int(v[1])}
            for v in day_table.values  # (day, valid orders, GMV, paid, …)
        ]
        self.platforms = [
            {"name": v[0], "paid": int(v[3]) / 100, "orders": int(v[1])} for v in tables["sales_platform"].values
        ]
        grid = [[int(n or 0) for n in v[1:]] for v in tables["heatmap"].values]
        self.weekdays = [v[0] for v in tables["heatmap"].values]
        self.heat = heat_levels(grid)
        self.heat_by_hour = [[self.heat[d][h] for d in range(7)] for h in range(24)] if self.heat else []
        self.tables = [
            TableView(key=key, title=tables[key].title, headers=tables[key].headers, rows=tables[key].cells)
            for key in PAGE_TABLES
        ]

    # ---- filters --------------------------------------------------------------------------------
    @rx.event
    @requires("page.reports")
    async def set_preset(self, value: str | list[str]):
        value = value if isinstance(value, str) else (value[0] if value else "")
        self.preset = value if value in PRESETS else "last7"
        if self.preset != "custom":
            self.f_from = self.f_to = ""
        async for update in self._refresh():
            yield update

    @rx.event
    @requires("page.reports")
    async def set_from(self, value: str):
        self.preset, self.f_from = "custom", value
        async for update in self._refresh():
            yield update

    @rx.event
    @requires("page.reports")
    async def set_to(self, value: str):
        self.preset, self.f_to = "custom", value
        async for update in self._refresh():
            yield update

    @rx.event
    @requires("page.reports")
    async def set_store(self, value: str):
        self.f_store = "" if value == "all" else value
        async for update in self._refresh():
            yield update

    @rx.event
    @requires("page.reports")
    async def set_platform(self, value: str):
        self.f_platform = "" if value == "all" else value
        async for update in self._refresh():
            yield update

    # ---- exports --------------------------------------------------------------------------------
    @rx.event
    @requires("reports.export")
    async def download(self, key: str, fmt: str):
        """The table as the screen shows it, as CSV or Excel (scope checked again here)."""
        if fmt not in export.FORMATS or key not in registry.REPORTS:
            return
        try:
            q = await self._query()
        except Exception as exc:
            yield await refuse(self, exc)
            return
        if q is None:
            return
        lang = await lang_of(self)
        try:
            table = await in_read_session(lambda session: registry.table(session, key, q, lang))
        except Exception as exc:
            yield await refuse(self, exc)
            return
        data, name = export.export(table, fmt)
        actor = await current_actor(self)
        await in_session(
            lambda s: export.record_export(s, actor, key, fmt, len(table.cells), q.period.first, q.period.last)
        )
        yield rx.download(data=data, filename=f"{q.period.first}_{q.period.last}_{name}")
