"""报表: sales, busy hours, top SKUs and fulfilment of the stores in scope, with exports."""

import reflex as rx

from components.i18n import t
from components.layout import app_shell, page_header
from components.permission_gate import page_gate
from components.reports import filter_bar, heat_map, kpi_cards, report_tables, sales_charts
from state.reports import ReportsState


def reports_page() -> rx.Component:
    return app_shell(
        page_gate(
            "page.reports",
            rx.vstack(
                page_header("reports.title"),
                filter_bar(),
                rx.cond(
                    ReportsState.has_orders,
                    rx.fragment(),
                    rx.callout(t("reports.empty"), icon="info", size="1", color_scheme="gray", width="100%"),
                ),
                kpi_cards(),
                sales_charts(),
                heat_map(),
                report_tables(),
                width="100%",
                spacing="3",
            ),
        ),
        active="/reports",
        title_key="nav.reports",
    )
