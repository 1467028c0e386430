"""Pieces of the 售后 page: the queue chips, the list (cards: phone and desk alike) and the drawer."""

import reflex as rx

from components.aftersale_line_state import line_state_badge
from components.badges import platform_badge
from components.form_bits import WRAP, field_error
from components.i18n import t
from qihang_app.domain.aftersale import AfterSaleState, AfterSaleType
from qihang_app.i18n import MESSAGES
from state.aftersales import AfterSalesState as S
from state.lang import LangState

MONEY = {"font_variant_numeric": "tabular-nums", "white_space": "nowrap"}
OUTCOMES = ("resend", "exchange", "return", "refund_only", "intercept")


def _label(prefix: str, value) -> rx.Var:
    keys = [k for k in MESSAGES if k.startswith(prefix)]
    return rx.match(value, *[(k[len(prefix) :], t(k)) for k in keys], value)


def state_label(value) -> rx.Var:
    return _label("aftersale.state.", value)


def kind_label(value) -> rx.Var:
    return _label("aftersale.type.", value)


def countdown(deadline_ms) -> rx.Component:
    """The platform's deadline, counted down by board.js every second (amber, then red)."""
    return rx.cond(
        deadline_ms != "0",
        rx.el.span(
            rx.icon("timer", size=14),
            t("aftersale.deadline"),
            " ",
            rx.el.span(class_name="qh-countdown tabular", custom_attrs={"data-deadline": deadline_ms}),
            class_name="qh-deadline",
            custom_attrs={"data-deadline": deadline_ms},
            style={"display": "inline-flex", "gap": "4px", "align_items": "center", "font_size": "13px"},
        ),
    )


def _chip(value: str, label) -> rx.Component:
    active = rx.cond(value == "open", S.f_state == "", S.f_state == value)
    return rx.button(
        label,
        rx.cond(value != "open", rx.badge(S.counts.get(value, 0), variant="soft", radius="full")),
        variant=rx.cond(active, "solid", "soft"),
        size="2",
        on_click=S.set_state_filter(value),
        id=f"as-chip-{value}",
        flex_shrink="0",
    )


def filters() -> rx.Component:
    chips = [_chip("open", t("aftersale.open_only"))]
    chips += [_chip(s.value, t(f"aftersale.state.{s.value}")) for s in AfterSaleState]
    chips.append(_chip("all", t("aftersale.all_states")))
    kinds = [rx.select.item(t(f"aftersale.type.{k.value}"), value=k.value) for k in AfterSaleType]
    return rx.vstack(
        rx.hstack(*chips, spacing="2", overflow_x="auto", width="100%", padding_bottom="4px", id="as-queues"),
        rx.select.root(
            rx.select.trigger(id="as-kind", width=["100%", "100%", "200px"]),
            rx.select.content(rx.select.item(t("aftersale.all_types"), value="all"), *kinds),
            value=rx.cond(S.f_kind == "", "all", S.f_kind),
            on_change=S.set_kind_filter,
            size="2",
        ),
        width="100%",
        spacing="2",
        padding_y="8px",
    )


def _card(row) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                platform_badge(row["platform"]),
                rx.text(row["seq"], weight="bold", size="5"),
                rx.text(row["shop"], size="2", color_scheme="gray", style=WRAP),
                rx.spacer(),
                rx.badge(state_label(row["state"]), color_scheme=rx.cond(row["state"] == "pending", "amber", "gray")),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                rx.badge(kind_label(row["kind"]), variant="outline"),
                rx.text(row["amount"], weight="bold", style=MONEY),
                rx.text(row["order_no"], size="1", color_scheme="gray", style=WRAP),
                wrap="wrap",
                align="center",
            ),
            rx.cond(row["reason"] != "", rx.text(row["reason"], size="2", style=WRAP)),
            rx.hstack(
                countdown(row["deadline_ms"]), rx.spacer(), rx.text(row["created"], size="1", color_scheme="gray")
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        on_click=S.open_record(row["id"]),
        cursor="pointer",
        class_name="as-row",
        custom_attrs={"data-after-sale": row["id"]},
    )


def queue() -> rx.Component:
    return rx.cond(
        S.total == 0,
        rx.center(rx.text(t("aftersale.empty"), color_scheme="gray", align="center"), padding="48px 16px"),
        rx.vstack(rx.foreach(S.rows, _card), spacing="2", width="100%", id="as-list"),
    )


def _section(title_key: str, *children) -> rx.Component:
    return rx.vstack(rx.text(t(title_key), weight="bold", size="2"), *children, spacing="1", width="100%")


def _actions() -> rx.Component:
    h = S.head
    reasons = rx.foreach(
        S.reasons, lambda r: rx.select.item(rx.cond(LangState.lang == "en", r["en"], r["zh"]), value=r["code"])
    )
    return rx.vstack(
        rx.cond(
            h["pending"] != "",
            rx.callout(t("aftersale.waiting_answer"), icon="loader", color_scheme="blue", size="1", width="100%"),
            rx.cond(
                h["answer"] != "",
                rx.callout(
                    rx.cond(h["answer"] == "ok", t("aftersale.answer_ok"), h["answer"]),
                    icon=rx.cond(h["answer"] == "ok", "check", "triangle-alert"),
                    color_scheme=rx.cond(h["answer"] == "ok", "green", "red"),
                    size="1",
                    width="100%",
                    id="as-answer",
                ),
            ),
        ),
        field_error(S.errors["_"]),
        rx.cond(
            S.allowed.contains("agree"),
            rx.button(t("aftersale.agree"), on_click=S.agree, size="3", width="100%", loading=S.busy, id="as-agree"),
        ),
        rx.cond(
            S.allowed.contains("confirm_receipt") | S.allowed.contains("buyer_shipped"),
            rx.form(
                rx.vstack(
                    rx.checkbox(t("aftersale.sellable"), name="sellable", default_checked=True),
                    rx.button(t("aftersale.confirm_receipt"), type="submit", size="3", width="100%", id="as-receipt"),
                    width="100%",
                ),
                on_submit=S.confirm_receipt,
                width="100%",
            ),
        ),
        rx.cond(
            S.allowed.contains("reject"),
            rx.form(
                rx.vstack(
                    rx.text(t("aftersale.reject_reason"), size="2"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="as-reason", placeholder=t("aftersale.pick_reason")),
                        rx.select.content(reasons),
                        name="reason_code",
                        size="3",
                    ),
                    field_error(S.errors["reason_code"]),
                    rx.text_area(name="reason", placeholder=t("aftersale.reject_text"), max_length=500, width="100%"),
                    field_error(S.errors["reason"]),
                    rx.button(
                        t("aftersale.reject"),
                        type="submit",
                        color_scheme="red",
                        variant="soft",
                        size="3",
                        width="100%",
                        id="as-reject",
                    ),  # fmt: skip
                    width="100%",
                ),
                on_submit=S.reject,
                reset_on_submit=False,
                width="100%",
            ),
        ),
        rx.cond(
            S.allowed.length() > 0,
            rx.form(
                rx.vstack(
                    rx.text(t("aftersale.result"), size="2"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="as-outcome", placeholder=t("aftersale.pick_outcome")),
                        rx.select.content(*[rx.select.item(t(f"aftersale.outcome.{o}"), value=o) for o in OUTCOMES]),
                        name="outcome",
                        size="3",
                    ),
                    rx.input(
                        name="tracking_no",
                        placeholder=t("aftersale.tracking_no"),
                        max_length=64,
                        width="100%",
                        size="3",
                    ),
                    field_error(S.errors["tracking_no"]),
                    field_error(S.errors["outcome"]),
                    rx.button(t("aftersale.result_save"), type="submit", variant="soft", size="3", width="100%"),
                    width="100%",
                ),
                on_submit=S.save_result,
                width="100%",
            ),
        ),
        rx.form(
            rx.vstack(
                rx.text_area(
                    name="note",
                    placeholder=t("aftersale.note"),
                    default_value=h["note"],
                    max_length=500,
                    width="100%",
                    id="as-note",
                ),  # fmt: skip
                field_error(S.errors["note"]),
                rx.button(t("aftersale.note_save"), type="submit", variant="outline", size="3", width="100%"),
                width="100%",
            ),
            on_submit=S.save_note,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
        spacing="3",
    )


def _detail() -> rx.Component:
    h = S.head
    return rx.vstack(
        rx.hstack(
            platform_badge(h["platform"]),
            rx.text(h["seq"], weight="bold", size="6"),
            rx.badge(kind_label(h["kind"]), variant="outline"),
            rx.spacer(),
            rx.icon_button(rx.icon("x"), variant="ghost", on_click=S.close_record, aria_label="close", id="as-close"),
            width="100%",
            align="center",
        ),
        rx.hstack(
            rx.badge(state_label(h["state"]), size="2"), countdown(h["deadline_ms"]), wrap="wrap", align="center"
        ),
        rx.text(t("aftersale.amount"), ": ", rx.text.strong(h["amount"]), size="3", style=MONEY),
        _section("aftersale.reason", rx.text(h["reason"], style=WRAP)),
        _section(
            "aftersale.order",
            rx.text(
                h["order_no"],
                " · ",
                h["order_paid"],
                " · ",
                _label("aftersale.order_state.", h["order_after_sale"]),
                size="2",
                style=WRAP,
            ),  # fmt: skip
        ),
        _section(
            "aftersale.lines",
            rx.foreach(
                S.lines,
                lambda ln: rx.hstack(
                    rx.text(ln["name"], style=WRAP),
                    line_state_badge(ln["line_state"]),
                    rx.spacer(),
                    rx.text("×", ln["qty"]),
                    rx.text(ln["amount"], style=MONEY),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
            ),  # fmt: skip
        ),
        rx.cond(
            S.pictures.length() > 0,
            _section(
                "aftersale.pictures",
                rx.hstack(
                    rx.foreach(
                        S.pictures,
                        lambda p: rx.link(
                            rx.image(
                                src=p, width="72px", height="72px", object_fit="cover", border_radius="6px", alt=""
                            ),
                            href=p,
                            is_external=True,
                        ),
                    ),
                    wrap="wrap",
                ),
            ),  # fmt: skip
        ),
        rx.cond(h["waybill"] != "", _section("aftersale.waybill", rx.text(h["waybill"], style=WRAP))),
        _actions(),
        _section(
            "aftersale.timeline",
            rx.foreach(
                S.events,
                lambda e: rx.vstack(
                    rx.hstack(
                        rx.text(e["at"], size="1", color_scheme="gray"),
                        rx.text(_label("aftersale.event.", e["kind"]), size="2", weight="medium"),
                        rx.cond(e["state"] != "", rx.text(state_label(e["state"]), size="1")),
                    ),  # fmt: skip
                    rx.cond(e["note"] != "", rx.text(e["note"], size="1", color_scheme="gray", style=WRAP)),
                    spacing="0",
                    width="100%",
                ),
            ),
        ),
        spacing="3",
        width="100%",
        id="as-detail",
    )


def drawer() -> rx.Component:
    return rx.drawer.root(
        rx.drawer.overlay(z_index="40"),
        rx.drawer.portal(
            rx.drawer.content(
                rx.box(_detail(), padding="16px", overflow_y="auto", height="100%", width="100%"),
                width=["100vw", "100vw", "480px"],
                height="100%",
                top="0",
                right="0",
                left="auto",
                background=rx.color("gray", 1),
                z_index="50",
            )
        ),
        open=S.open_id != "",
        direction="right",
        on_open_change=S.set_drawer_open,
    )
