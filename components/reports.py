"""Pieces of the 报表 page: filter bar, KPI cards with the previous period, charts (recharts), the
busy-hours heat map and the report tables with their export buttons."""

from __future__ import annotations

import reflex as rx

from components.filters import all_select
from components.i18n import t
from qihang_app.i18n import PLATFORM_LABEL
from state.lang import LangState
from state.reports import HeatCell, KpiView, ReportsState, TableView

NUM = {"font_variant_numeric": "tabular-nums", "white_space": "nowrap"}
PRESET_KEYS = ("today", "yesterday", "last7", "last30", "custom")
HEAT_COLOURS = (
    "var(--gray-3)",
    "var(--accent-4)",
    "var(--accent-6)",
    "var(--accent-8)",
    "var(--accent-10)",
    "var(--accent-12)",
)


def _select(all_key: str, value, on_change, items: list, id_: str) -> rx.Component:
    return all_select(all_key, value, on_change, items, id_, flex=["1 1 45%", "1 1 45%", "0 0 160px"])


def filter_bar() -> rx.Component:
    stores = [rx.foreach(ReportsState.store_options, lambda s: rx.select.item(s["name"], value=s["id"]))]
    platforms = [
        rx.select.item(rx.cond(LangState.lang == "en", en, zh), value=code) for code, (zh, en) in PLATFORM_LABEL.items()
    ]
    return rx.vstack(
        rx.flex(
            rx.segmented_control.root(
                *[rx.segmented_control.item(t(f"reports.preset.{k}"), value=k) for k in PRESET_KEYS],
                value=ReportsState.preset,
                on_change=ReportsState.set_preset,
                size="2",
                id="report-preset",
            ),
            rx.hstack(
                rx.input(
                    type="date",
                    value=ReportsState.f_from,
                    on_change=ReportsState.set_from,
                    size="2",
                    aria_label="from",
                    id="report-from",
                ),  # fmt: skip
                rx.text("—", color_scheme="gray"),
                rx.input(
                    type="date",
                    value=ReportsState.f_to,
                    on_change=ReportsState.set_to,
                    size="2",
                    aria_label="to",
                    id="report-to",
                ),  # fmt: skip
                align="center",
                spacing="1",
            ),
            _select("reports.all_stores", ReportsState.f_store, ReportsState.set_store, stores, "report-store"),
            _select(
                "reports.all_platforms",
                ReportsState.f_platform,
                ReportsState.set_platform,
                platforms,
                "report-platform",
            ),
            gap="8px",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.cond(
            ReportsState.error != "",
            rx.callout(ReportsState.error, color_scheme="red", size="1", icon="triangle-alert"),
        ),
        rx.flex(
            rx.text(ReportsState.period_text, size="2", weight="medium"),
            rx.text(ReportsState.compare_text, size="1", color_scheme="gray"),
            rx.cond(ReportsState.loading, rx.spinner(size="1")),
            gap="8px",
            wrap="wrap",
            align="center",
        ),
        rx.text(t("reports.filters_note"), size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
        margin_bottom="12px",
    )


def _kpi(k: KpiView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(k.label, size="1", color_scheme="gray"),
            rx.text(k.value, size="5", weight="bold", style=NUM),
            rx.hstack(
                rx.text(t("col.previous"), " ", k.previous, size="1", color_scheme="gray", style=NUM),
                rx.cond(
                    k.change != "",
                    rx.badge(k.change, color_scheme=rx.cond(k.up, "green", "red"), variant="soft", size="1"),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="1",
        ),
        size="1",
    )


def kpi_cards() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.text(t("reports.summary"), size="3", weight="bold"),
            rx.spacer(),
            export_buttons("summary"),
            width="100%",
            wrap="wrap",
            gap="8px",
            align="center",
        ),
        rx.grid(
            rx.foreach(ReportsState.kpis, _kpi),
            columns=rx.breakpoints(initial="2", sm="3", lg="7"),
            gap="8px",
            width="100%",
            id="report-kpis",
        ),
        width="100%",
        spacing="2",
    )


def _chart_card(title_key: str, chart: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(t(title_key), size="2", weight="bold"), chart, spacing="2", width="100%"),
        width="100%",
        min_width="0",
    )


def sales_charts() -> rx.Component:
    by_day = rx.recharts.composed_chart(
        rx.recharts.bar(data_key="paid", fill="var(--accent-9)", name=t("col.paid"), y_axis_id="left"),
        rx.recharts.line(
            data_key="orders", stroke="var(--amber-10)", name=t("col.orders"), y_axis_id="right", dot=False
        ),
        rx.recharts.x_axis(data_key="day", tick_line=False, font_size=11, min_tick_gap=12),
        rx.recharts.y_axis(y_axis_id="left", width=48, font_size=11),
        rx.recharts.y_axis(y_axis_id="right", orientation="right", width=32, font_size=11),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(height=24),
        data=ReportsState.days,
        width="100%",
        height=240,
        margin={"top": 8, "right": 0, "left": 0, "bottom": 0},
    )
    by_platform = rx.recharts.bar_chart(
        rx.recharts.bar(
            rx.recharts.label_list(data_key="paid", position="insideRight", fill="white", font_size=12),
            data_key="paid",
            fill="var(--accent-9)",
            name=t("col.paid"),
        ),
        rx.recharts.x_axis(type_="number", hide=True),
        rx.recharts.y_axis(data_key="name", type_="category", width=80, font_size=12, tick_line=False),
        rx.recharts.graphing_tooltip(),
        data=ReportsState.platforms,
        layout="vertical",
        width="100%",
        height=200,
        margin={"top": 4, "right": 16, "left": 0, "bottom": 4},
    )
    return rx.grid(
        _chart_card("reports.sales_day", by_day),
        _chart_card("reports.sales_platform", by_platform),
        columns=rx.breakpoints(initial="1", lg="2"),
        gap="12px",
        width="100%",
    )


def _heat_box(cell: HeatCell) -> rx.Component:
    return rx.box(
        rx.text(rx.cond(cell.n > 0, cell.n, ""), size="1", style=NUM),
        background=rx.match(cell.level, *[(i, c) for i, c in enumerate(HEAT_COLOURS)], HEAT_COLOURS[0]),
        color=rx.cond(cell.level >= 4, "white", "var(--gray-12)"),
        border_radius="3px",
        min_height="24px",
        display="flex",
        align_items="center",
        justify_content="center",
        title=cell.n.to_string(),
    )


def heat_map() -> rx.Component:
    """Desk: weekdays as rows, 24 hours across. Phone: hours as rows, 7 weekdays across."""
    desk = rx.box(
        rx.grid(
            rx.box(),
            *[rx.text(str(h), size="1", color_scheme="gray", text_align="center") for h in range(24)],
            rx.foreach(
                ReportsState.heat,
                lambda row, i: rx.fragment(
                    rx.text(ReportsState.weekdays[i], size="1", color_scheme="gray"), rx.foreach(row, _heat_box)
                ),
            ),
            grid_template_columns="40px repeat(24, minmax(22px, 1fr))",
            gap="2px",
            width="100%",
        ),
        display=["none", "none", "block"],
        width="100%",
        id="heat-desk",
    )
    phone = rx.box(
        rx.grid(
            rx.box(),
            rx.foreach(ReportsState.weekdays, lambda d: rx.text(d, size="1", color_scheme="gray", text_align="center")),
            rx.foreach(
                ReportsState.heat_by_hour,
                lambda row, h: rx.fragment(rx.text(h, size="1", color_scheme="gray"), rx.foreach(row, _heat_box)),
            ),
            grid_template_columns="28px repeat(7, 1fr)",
            gap="2px",
            width="100%",
        ),
        display=["block", "block", "none"],
        width="100%",
        id="heat-phone",
    )
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(t("reports.heatmap"), size="2", weight="bold"),
                rx.spacer(),
                export_buttons("heatmap"),
                width="100%",
                wrap="wrap",
                gap="8px",
                align="center",
            ),
            desk,
            phone,
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        id="report-heatmap",
    )


def export_buttons(key) -> rx.Component:
    """CSV and Excel of one report (`key` a report key or a Var holding one)."""
    return rx.hstack(
        rx.button(
            rx.icon("download", size=14),
            t("reports.export_csv"),
            size="1",
            variant="soft",
            on_click=ReportsState.download(key, "csv"),
            id="export-csv-" + key,
        ),  # fmt: skip
        rx.button(
            rx.icon("sheet", size=14),
            t("reports.export_xlsx"),
            size="1",
            variant="soft",
            on_click=ReportsState.download(key, "xlsx"),
            id="export-xlsx-" + key,
        ),  # fmt: skip
        spacing="2",
    )


def report_table(table: TableView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.text(table.title, size="3", weight="bold"),
                rx.spacer(),
                export_buttons(table.key),
                width="100%",
                wrap="wrap",
                gap="8px",
                align="center",
            ),
            rx.cond(
                table.rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(rx.foreach(table.headers, lambda h: rx.table.column_header_cell(h, style=NUM)))
                        ),
                        rx.table.body(
                            rx.foreach(
                                table.rows,
                                lambda row: rx.table.row(rx.foreach(row, lambda c: rx.table.cell(c, style=NUM))),
                            )
                        ),
                        size="1",
                        variant="surface",
                    ),
                    overflow_x="auto",
                    max_height="420px",
                    overflow_y="auto",
                    width="100%",
                ),
                rx.text(t("reports.no_data"), size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        min_width="0",
        id="report-" + table.key,
    )


def report_tables() -> rx.Component:
    return rx.grid(
        rx.foreach(ReportsState.tables, report_table),
        columns="1",
        gap="12px",
        width="100%",
    )
