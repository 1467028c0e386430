"""打印面单 on the 订单 page: the button beside 推送到 ERP, and its dialog (carrier, paper, 取号,
each order's answer, 打印, 标记发货). Works on a phone: one column, large touch targets."""

import reflex as rx

from components.i18n import t
from state.lang import LangState
from state.orders import OrdersState
from state.waybill_batch import WaybillBatchState


def _in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def waybill_button() -> rx.Component:
    return rx.cond(
        OrdersState.selected.length() > 0,
        rx.button(
            rx.icon("printer", size=16),
            t("waybill.ui.open"),
            size="2",
            variant="soft",
            on_click=WaybillBatchState.open_dialog,
            id="waybill-open",
        ),
    )


def _result(row: dict) -> rx.Component:
    return rx.hstack(
        rx.cond(row["ok"] == "1", rx.icon("circle-check", size=16), rx.icon("circle-x", size=16)),
        rx.text(row["no"], size="2", font_family="monospace"),
        rx.text(row["text"], size="2", color=rx.cond(row["ok"] == "1", rx.color("green", 11), rx.color("red", 11))),
        spacing="2",
        align="center",
        wrap="wrap",
        class_name="waybill-result",
        width="100%",
    )


def waybill_dialog() -> rx.Component:
    s = WaybillBatchState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("waybill.ui.title")),
            rx.vstack(
                rx.text(t("waybill.ui.ticked"), ": ", s.orders.length().to_string(), size="2", color_scheme="gray"),
                rx.cond(
                    s.carriers.length() > 0,
                    rx.vstack(
                        rx.text(t("waybill.ui.carrier"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(id="waybill-carrier", width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    s.carriers, lambda c: rx.select.item(_in_lang(c["zh"], c["en"]), value=c["code"])
                                )
                            ),
                            value=s.carrier,
                            on_change=s.set_carrier,
                            size="3",
                        ),
                        rx.text(t("waybill.ui.size"), size="2", weight="medium"),
                        rx.radio_group.root(
                            rx.vstack(
                                rx.radio_group.item(t("waybill.ui.size76"), value="76", id="waybill-size-76"),
                                rx.radio_group.item(t("waybill.ui.size100"), value="100", id="waybill-size-100"),
                                spacing="2",
                            ),
                            value=s.size,
                            on_change=s.set_size,
                            size="3",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    rx.callout(t("waybill.ui.no_carrier"), icon="info", color_scheme="amber", width="100%"),
                ),
                rx.vstack(rx.foreach(s.results, _result), spacing="1", width="100%", id="waybill-results"),
                rx.flex(
                    rx.button(
                        t("waybill.ui.issue"),
                        size="3",
                        loading=s.busy,
                        disabled=s.carriers.length() == 0,
                        on_click=s.issue,
                        id="waybill-issue",
                        flex="1",
                    ),
                    rx.button(
                        rx.icon("printer", size=16),
                        t("waybill.ui.print"),
                        size="3",
                        variant="soft",
                        on_click=s.print_labels,
                        id="waybill-print",
                        flex="1",
                    ),
                    rx.button(
                        t("waybill.ui.ship"),
                        size="3",
                        variant="soft",
                        color_scheme="green",
                        on_click=s.ship,
                        id="waybill-ship",
                        flex="1",
                    ),
                    gap="8px",
                    wrap="wrap",
                    width="100%",
                ),
                rx.dialog.close(rx.button(t("common.close"), size="3", variant="ghost", width="100%")),
                spacing="3",
                width="100%",
            ),
            max_width="460px",
            width="calc(100vw - 24px)",
            id="waybill-dialog",
        ),
        open=s.dialog_open,
        on_open_change=s.set_dialog_open,
    )
