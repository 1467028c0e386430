"""电子面单 labels in the two standard sizes, 76×130 mm (一联单) and 100×180 mm (二联单, with a
receipt stub), one label per printed page (the browser's print dialog, `@page` size)."""

import reflex as rx

from components.i18n import t
from state.waybill_print import WaybillPrintState

BASE_CSS = """
body { margin: 0; background: #eee; }
.qh-wb { box-sizing: border-box; background: #fff; color: #000; overflow: hidden; display: flex;
  flex-direction: column; font-family: "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
  break-after: page; page-break-after: always; margin: 0 auto 6mm; }
.qh-wb:last-child { break-after: auto; page-break-after: auto; }
.qh-wb .top { display: flex; justify-content: space-between; align-items: center; font-weight: 800;
  border-bottom: 1px solid #000; }
.qh-wb .sort { font-weight: 900; text-align: center; line-height: 1.1; border-bottom: 1px solid #000; }
.qh-wb .route { font-weight: 700; text-align: center; border-bottom: 1px solid #000; }
.qh-wb .bar img { width: 100%; display: block; }
.qh-wb .no { text-align: center; font-family: monospace; font-weight: 700; letter-spacing: 1px; }
.qh-wb .party { display: flex; gap: 2mm; border-top: 1px solid #000; padding: 1mm 0; }
.qh-wb .tag { border: 1.5px solid #000; border-radius: 50%; display: flex; align-items: center;
  justify-content: center; font-weight: 800; flex-shrink: 0; }
.qh-wb .who { font-weight: 800; }
.qh-wb .addr { font-weight: 700; word-break: break-all; }
.qh-wb .items { border-top: 1px solid #000; flex: 1; overflow: hidden; word-break: break-all; }
.qh-wb .foot { border-top: 1px solid #000; display: flex; justify-content: space-between; gap: 2mm; }
.qh-wb .stub { border-top: 1.5px dashed #000; margin-top: 1mm; padding-top: 1mm; }
.wb-tools { position: sticky; top: 0; display: flex; gap: 8px; justify-content: center; padding: 8px;
  background: #fff; border-bottom: 1px solid #ccc; margin-bottom: 6mm; flex-wrap: wrap; }
@media print { body { background: #fff; } .no-print { display: none !important; } .qh-wb { margin: 0; } }
"""
# Per size: the paper, the label box and its type sizes.
CSS_76 = """
@page { size: 76mm 130mm; margin: 0; }
.qh-wb { width: 76mm; height: 130mm; padding: 2mm 2.5mm; }
.qh-wb .top { font-size: 13px; padding-bottom: 1mm; }
.qh-wb .sort { font-size: 30px; padding: 1mm 0; }
.qh-wb .route { font-size: 13px; }
.qh-wb .bar img { height: 15mm; margin-top: 1.5mm; }
.qh-wb .no { font-size: 14px; }
.qh-wb .tag { width: 6.5mm; height: 6.5mm; font-size: 13px; }
.qh-wb .who { font-size: 13px; } .qh-wb .addr { font-size: 12px; }
.qh-wb .items { font-size: 11px; padding-top: 1mm; } .qh-wb .foot { font-size: 10px; }
.qh-wb .stub { display: none; }
"""
CSS_100 = """
@page { size: 100mm 180mm; margin: 0; }
.qh-wb { width: 100mm; height: 180mm; padding: 3mm 3.5mm; }
.qh-wb .top { font-size: 16px; padding-bottom: 1.5mm; }
.qh-wb .sort { font-size: 40px; padding: 1.5mm 0; }
.qh-wb .route { font-size: 16px; }
.qh-wb .bar img { height: 20mm; margin-top: 2mm; }
.qh-wb .no { font-size: 17px; }
.qh-wb .tag { width: 8mm; height: 8mm; font-size: 16px; }
.qh-wb .who { font-size: 16px; } .qh-wb .addr { font-size: 14px; }
.qh-wb .items { font-size: 13px; padding-top: 1.5mm; } .qh-wb .foot { font-size: 12px; }
.qh-wb .stub .bar img { height: 10mm; }
"""


def _party(tag_key: str, who, address) -> rx.Component:
    return rx.el.div(
        rx.el.div(t(tag_key), class_name="tag"),
        rx.el.div(rx.el.div(who, class_name="who"), rx.el.div(address, class_name="addr")),
        class_name="party",
    )


def _label(x: dict) -> rx.Component:
    return rx.el.div(
        rx.el.div(rx.el.span(x["carrier"]), rx.el.span("电子面单 · ", x["shop"]), class_name="top"),
        rx.el.div(rx.cond(x["sort_code"] != "", x["sort_code"], "—"), class_name="sort"),
        rx.cond(x["route_code"] != "", rx.el.div(x["route_code"], class_name="route")),
        rx.el.div(rx.el.img(src=x["barcode"], alt=x["tracking"]), class_name="bar"),
        rx.el.div(x["tracking"], class_name="no"),
        _party("waybill.label.receiver", x["receiver"], x["receiver_address"]),
        _party("waybill.label.sender", x["sender"], x["sender_address"]),
        rx.el.div(
            rx.el.b(t("waybill.label.items"), "："),
            x["items"],
            rx.cond(x["memo"] != "", rx.el.div("备注：", x["memo"])),
            class_name="items",
        ),
        rx.el.div(
            rx.el.span("订单 ", x["order_no"], " · 第", x["parcel"], "包"),
            rx.el.span(x["printed"]),
            class_name="foot",
        ),
        rx.el.div(  # 二联单's receipt stub (hidden on 76 mm)
            rx.el.div(rx.el.img(src=x["barcode"], alt=x["tracking"]), class_name="bar"),
            rx.el.div(x["tracking"], class_name="no"),
            rx.el.div(x["receiver"], " · ", x["items"], style={"font_size": "11px"}),
            class_name="stub",
        ),
        class_name="qh-wb",
    )


def _refused() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("receipt-text", size=40, color=rx.color("gray", 9)),
            rx.heading(
                rx.match(
                    WaybillPrintState.refused,
                    ("no_permission", t("print.no_permission")),
                    ("not_found", t("print.not_found")),
                    t("waybill.ui.none"),
                ),
                size="5",
                id="waybill-refused",
            ),
            rx.link(rx.button(t("print.back"), size="3", width="100%"), href="/orders", width="100%"),
            align="center",
            spacing="4",
            max_width="360px",
            width="100%",
        ),
        min_height="100vh",
        padding="24px",
    )


def waybill_print_page() -> rx.Component:
    return rx.cond(
        WaybillPrintState.refused != "",
        _refused(),
        rx.box(
            rx.el.style(BASE_CSS),
            rx.el.style(rx.cond(WaybillPrintState.size == "100", CSS_100, CSS_76)),
            rx.el.div(
                rx.button(
                    rx.icon("printer", size=16), t("waybill.ui.print"), on_click=rx.call_script("window.print()")
                ),
                rx.button(
                    t("waybill.ui.ship"),
                    color_scheme="green",
                    disabled=WaybillPrintState.shipped,
                    on_click=WaybillPrintState.ship,
                    id="waybill-page-ship",
                ),
                class_name="wb-tools no-print",
            ),
            rx.foreach(WaybillPrintState.labels, _label),
            id="waybill-labels",
        ),
    )
