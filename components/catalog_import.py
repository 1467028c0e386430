"""商品 page: the import dialog (choose a file, see every bad row or a summary, import with a
progress bar) and the export menu."""

import reflex as rx

from components.i18n import t
from components.permission_gate import when_can
from state.catalog_import import CatalogImportState as S
from state.lang import LangState

UPLOAD_ID = "catalog-file"


def _problem(row: dict) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["line"], class_name="tabular")),
        rx.table.cell(row["column"]),
        rx.table.cell(rx.text(row["message"], size="2")),
        class_name="import-problem",
    )


def _problems() -> rx.Component:
    return rx.vstack(
        rx.callout(
            rx.cond(
                S.problem_count > 0,
                t("catalog.import.has_problems"),
                S.summary,
            ),
            color_scheme=rx.cond(S.problem_count > 0, "red", "green"),
            icon=rx.cond(S.problem_count > 0, "triangle-alert", "check"),
            size="1",
            width="100%",
            id="import-verdict",
        ),
        rx.cond(
            S.problem_count > 0,
            rx.vstack(
                rx.text(
                    rx.cond(
                        LangState.lang == "en",
                        S.problem_count.to_string() + " problems",
                        "共 " + S.problem_count.to_string() + " 处问题",
                    ),
                    size="2",
                    weight="bold",
                    color=rx.color("red", 11),
                ),
                rx.scroll_area(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell(t("catalog.import.line")),
                                rx.table.column_header_cell(t("catalog.import.column")),
                                rx.table.column_header_cell(t("catalog.import.reason")),
                            )
                        ),
                        rx.table.body(rx.foreach(S.problems, _problem)),
                        size="1",
                        width="100%",
                    ),
                    max_height="320px",
                    type="auto",
                ),
                width="100%",
            ),
        ),
        width="100%",
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("catalog.import.title")),
            rx.vstack(
                rx.text(t("catalog.import.help"), size="2", color_scheme="gray"),
                rx.upload(
                    rx.vstack(
                        rx.icon("file-up", size=28, color=rx.color("accent", 9)),
                        rx.text(t("catalog.import.choose"), size="2"),
                        rx.text(S.file_name, size="1", color_scheme="gray"),
                        align="center",
                        spacing="1",
                    ),
                    id=UPLOAD_ID,
                    accept={
                        "text/csv": [".csv"],
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
                    },
                    max_files=1,
                    multiple=False,
                    on_drop=S.check(rx.upload_files(upload_id=UPLOAD_ID)),
                    border=f"1px dashed {rx.color('gray', 7)}",
                    border_radius="8px",
                    padding="20px",
                    width="100%",
                    cursor="pointer",
                ),
                rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", icon="triangle-alert", size="1")),
                rx.cond(
                    S.phase == "checking",
                    rx.hstack(rx.spinner(size="2"), rx.text(t("catalog.import.checking"), size="2"), align="center"),
                ),
                rx.cond(S.phase == "checked", _problems()),
                rx.cond(
                    (S.phase == "importing") | (S.phase == "done"),
                    rx.vstack(
                        rx.progress(value=S.progress, width="100%", id="import-progress"),
                        rx.text(rx.cond(S.phase == "done", S.summary, S.progress.to_string() + "%"), size="2"),
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button(t("common.close"), variant="soft", color_scheme="gray")),
                    rx.cond(
                        (S.phase == "checked") & (S.problem_count == 0),
                        when_can("product.import", rx.button(t("catalog.import.run"), on_click=S.run, id="import-run")),
                    ),
                    justify="end",
                    width="100%",
                    spacing="3",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="640px",
        ),
        open=S.dialog,
        on_open_change=S.set_dialog,
    )


def import_export_buttons() -> rx.Component:
    """导入 for product.import, 导出 for product.export (each shown only to its holders)."""
    return rx.hstack(
        when_can(
            "product.import",
            rx.button(
                rx.icon("upload", size=16),
                t("catalog.import.button"),
                variant="soft",
                on_click=S.open,
                id="import-open",
            ),
        ),
        when_can(
            "product.export",
            rx.menu.root(
                rx.menu.trigger(rx.button(rx.icon("download", size=16), t("catalog.export"), variant="soft")),
                rx.menu.content(
                    rx.menu.item("Excel (.xlsx)", on_click=S.export("xlsx")),
                    rx.menu.item("CSV", on_click=S.export("csv")),
                ),
            ),
        ),
        spacing="2",
    )
