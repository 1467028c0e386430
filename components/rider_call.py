"""呼叫骑手 on the board: the rider line of a card, its call button, and the quote dialog
(cheapest and fastest marked, a tip, cancel and call another). Styled by assets/rider.css."""

import reflex as rx

from components.i18n import t
from state.board_cards import CardView
from state.lang import LangState
from state.rider_calls import QuoteView, RiderCallState

STATUS_KEYS = ("awaiting_rider", "rider_accepted", "at_store", "delivering", "delivered", "cancelled", "exception")


def _in_lang(zh, en):
    return rx.cond(LangState.lang == "en", en, zh)


def rider_status_label(status) -> rx.Component:
    return rx.match(status, *[(key, t(f"rider.status.{key}")) for key in STATUS_KEYS], status)


def rider_line(card: CardView) -> rx.Component:
    """Carrier · rider (tap to call) · state · minutes to the door (board.js ticks it)."""
    return rx.cond(
        card.rider_status != "",
        rx.el.div(
            rx.icon("bike", size=15),
            rx.el.span(_in_lang(card.rider_carrier, card.rider_carrier_en), class_name="qh-r-carrier"),
            rx.cond(
                card.rider_tel != "",
                rx.el.a(
                    card.rider_name, rx.icon("phone", size=13), href="tel:" + card.rider_tel, class_name="qh-r-tel"
                ),
                rx.el.span(card.rider_name),
            ),
            rx.el.span(
                rider_status_label(card.rider_status), class_name="qh-r-status qh-r-" + card.rider_status.to_string()
            ),
            rx.cond(
                card.eta_ms > 0,
                rx.el.span(
                    rx.icon("clock", size=12),
                    rx.el.span(class_name="qh-countdown", custom_attrs={"data-deadline": card.eta_ms}),
                    class_name="qh-r-eta",
                ),
            ),
            class_name="qh-r-line",
            custom_attrs={"data-rider-status": card.rider_status},
        ),
        rx.cond(card.rider != "", rx.el.span(rx.icon("bike", size=14), card.rider, class_name="qh-c-rider")),
    )


def call_button(card: CardView) -> rx.Component:
    """Next to the card's main button: call a rider, or manage the ride on its way."""
    return rx.cond(
        card.can_call,
        rx.el.button(
            rx.icon("bike", size=18),
            t("dispatch.call_rider"),
            on_click=RiderCallState.open_for(card.id, card.no),
            class_name="qh-btn qh-btn-indigo qh-r-call",
            type="button",
        ),
        rx.cond(
            card.can_manage,
            rx.el.button(
                rx.icon("settings-2", size=18),
                on_click=RiderCallState.open_for(card.id, card.no),
                class_name="qh-btn qh-btn-soft qh-r-manage",
                aria_label="ride",
                type="button",
            ),
        ),
    )


def _quote(q: QuoteView) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.span(_in_lang(q.name, q.name_en), class_name="qh-q-name"),
            rx.cond(q.cheapest, rx.el.span(t("dispatch.cheapest"), class_name="qh-q-mark qh-q-cheap")),
            rx.cond(q.fastest, rx.el.span(t("dispatch.fastest"), class_name="qh-q-mark qh-q-fast")),
            class_name="qh-q-head",
        ),
        rx.cond(
            q.ok,
            rx.el.div(
                rx.el.span(q.fee, class_name="qh-q-fee"),
                rx.el.span(
                    rx.icon("clock", size=13), q.eta.to_string(), _in_lang(" 分钟", " min"), class_name="qh-q-eta"
                ),
                rx.el.span(rx.icon("route", size=13), q.distance, class_name="qh-q-dist"),
                rx.el.button(
                    t("dispatch.choose"),
                    on_click=RiderCallState.choose(q.account_id, q.eta),
                    disabled=RiderCallState.busy,
                    class_name="qh-btn qh-btn-indigo qh-q-book",
                    type="button",
                ),
                class_name="qh-q-body",
            ),
            rx.el.div(_in_lang(q.message, q.message_en), class_name="qh-q-error"),
        ),
        class_name=rx.cond(q.cheapest | q.fastest, "qh-quote qh-quote-best", "qh-quote"),
        custom_attrs={"data-carrier": q.carrier},
    )


def _tip() -> rx.Component:
    return rx.el.div(
        rx.el.label(t("dispatch.tip"), html_for="qh-tip", class_name="qh-q-label"),
        rx.el.input(
            id="qh-tip",
            value=RiderCallState.tip,
            on_change=RiderCallState.set_tip,
            input_mode="decimal",
            placeholder="0",
            class_name="qh-q-tip",
        ),
        rx.cond(
            RiderCallState.tip_error != "",
            rx.el.div(t("delivery.err.tip_range"), class_name="qh-q-error field-error", role="alert"),
        ),
        class_name="qh-q-tiprow",
    )


def _ride_on_its_way() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.icon("bike", size=16),
            RiderCallState.ride_carrier,
            rider_status_label(RiderCallState.ride_status),
            class_name="qh-q-ride",
        ),
        rx.el.div(
            rx.el.button(
                t("dispatch.add_tip"),
                on_click=RiderCallState.add_tip,
                disabled=RiderCallState.busy,
                class_name="qh-btn qh-btn-indigo",
                type="button",
            ),
            rx.el.button(
                t("dispatch.redispatch"),
                on_click=RiderCallState.cancel_and_requote,
                disabled=RiderCallState.busy,
                class_name="qh-btn qh-btn-soft qh-q-cancel",
                type="button",
            ),
            class_name="qh-q-actions",
        ),
    )


def _own_rider(rider) -> rx.Component:
    return rx.el.button(
        rx.icon("user", size=16),
        rider[1],
        rx.el.span(rider[2], class_name="qh-muted"),
        on_click=RiderCallState.assign_own(rider[0]),
        class_name="qh-btn qh-btn-soft qh-q-own",
        type="button",
    )


def _own_riders() -> rx.Component:
    return rx.cond(
        RiderCallState.own.length() > 0,
        rx.el.div(
            rx.el.div(t("dispatch.own_rider"), class_name="qh-q-label"),
            rx.el.div(rx.foreach(RiderCallState.own, _own_rider), class_name="qh-q-ownlist"),
            class_name="qh-q-ownrow",
            id="qh-own-riders",
        ),
    )


def rider_call_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("dispatch.quotes_title"), " ", RiderCallState.order_no),
            _tip(),
            rx.cond(
                RiderCallState.ride_carrier != "",
                _ride_on_its_way(),
                rx.cond(
                    RiderCallState.loading,
                    rx.el.div(rx.spinner(size="3"), t("dispatch.loading"), class_name="qh-q-loading"),
                    rx.cond(
                        RiderCallState.problem != "",
                        rx.el.div(RiderCallState.problem, class_name="qh-q-error"),
                        rx.el.div(rx.foreach(RiderCallState.quotes, _quote), class_name="qh-quotes", id="qh-quotes"),
                    ),
                ),
            ),
            rx.cond(RiderCallState.ride_carrier == "", _own_riders()),
            rx.dialog.close(
                rx.el.button(t("common.cancel"), class_name="qh-btn qh-btn-soft qh-q-close", type="button")
            ),
            class_name="qh-q-dialog",
        ),
        open=RiderCallState.open,
        on_open_change=RiderCallState.set_open,
    )
