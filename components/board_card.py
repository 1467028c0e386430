"""The order card of the dispatch board (one per order, in a tab or a desk column)."""

import reflex as rx
from reflex.utils.imports import ImportVar

from components.badges import platform_badge
from components.i18n import t
from components.rider_call import call_button, rider_line
from state.auth import AuthState
from state.board import BoardState, CardView
from state.lang import LangState
from state.missing_refund import MissingRefundState


# The card is built from plain elements styled by assets/board.css (classes qh-c-*): a busy
# board renders dozens of cards a second, and layout primitives with responsive props cost far
# more per element than a div. Radix components remain where they bring behaviour (the menu).
def _el(tag, *children, cls: str = "", **props) -> rx.Component:
    return getattr(rx.el, tag)(*children, class_name=cls, **props)


def _in_lang(zh, en):
    """A text the card view carries in both languages (services' messages), shown in one."""
    return rx.cond(LangState.lang == "en", en, zh)


def _item(item) -> rx.Component:
    return _el(
        "div",
        _el("span", item.name, cls="qh-c-name"),
        rx.cond(item.spec != "", _el("span", item.spec, cls="qh-c-spec")),
        _el("span", "×" + item.qty.to_string(), cls=rx.cond(item.qty > 1, "qh-c-qty qh-c-many", "qh-c-qty")),
        cls="qh-c-item",
    )


def _timers(card: CardView) -> rx.Component:
    """Ticking text is updated in the browser by board.js (no state traffic per second)."""
    return _el(
        "div",
        rx.cond(  # on an order that is over, when it was placed (a running clock would mean nothing)
            card.countdown,
            _el(
                "span",
                t("board.placed"),
                " ",
                rx.el.span(class_name="qh-elapsed", custom_attrs={"data-since": card.placed_ms}),
                cls="qh-muted",
            ),
            _el(
                "span",
                t("board.placed"),
                " ",
                rx.el.span(class_name="qh-when", custom_attrs={"data-at": card.placed_ms}),
                cls="qh-muted",
            ),
        ),
        rx.cond(
            card.countdown,
            rx.cond(
                card.tab == "new",
                rx.cond(
                    card.accept_deadline_ms > 0,
                    rx.el.span(
                        t("board.accept_in"),
                        " ",
                        rx.el.span(class_name="qh-countdown", custom_attrs={"data-deadline": card.accept_deadline_ms}),
                        class_name="qh-deadline",
                        custom_attrs={"data-deadline": card.accept_deadline_ms},
                    ),
                ),
                rx.cond(
                    card.promised_ms > 0,
                    rx.el.span(
                        t("board.deliver_by"),
                        " ",
                        rx.el.span(class_name="qh-clock", custom_attrs={"data-at": card.promised_ms}),
                        " · ",
                        rx.el.span(class_name="qh-countdown", custom_attrs={"data-deadline": card.promised_ms}),
                        class_name="qh-deadline",
                        custom_attrs={"data-deadline": card.promised_ms},
                    ),
                ),
            ),
        ),
        cls="qh-c-timers",
    )


def _mark(card: CardView) -> rx.Component:
    """已取消 / 已拒单 / 已退款 next to the number: the first thing read on an ended card."""
    return rx.cond(
        card.mark != "",
        _el(
            "span",
            rx.match(
                card.mark, ("rejected", t("mark.rejected")), ("refunded", t("mark.refunded")), t("mark.cancelled")
            ),
            cls="qh-c-mark",
        ),
    )


def _end_reason(card: CardView) -> rx.Component:
    """Who ended it and the platform's reason ("顾客取消：不想要了")."""
    who = rx.match(
        card.cancelled_by,
        ("user", t("by.user")),
        ("merchant", rx.cond(card.mark == "rejected", t("by.rejected"), t("by.merchant"))),
        ("service", t("by.service")),
        ("system", t("by.system")),
        "",
    )
    return rx.cond(
        (card.mark != "") & ((card.cancelled_by != "") | (card.cancel_reason != "")),
        _el(
            "div",
            rx.icon("ban", size=16),
            _el(
                "span",
                who,
                rx.cond((card.cancelled_by != "") & (card.cancel_reason != ""), "：", ""),
                card.cancel_reason,
            ),
            cls="qh-c-end",
        ),
    )


def _scheduled(card: CardView) -> rx.Component:
    """预订单: marked, with the time the buyer booked (board.js writes "明天 10:30" etc.)."""
    return rx.cond(
        card.scheduled,
        _el(
            "div",
            _el("span", rx.icon("calendar-clock", size=14), t("board.scheduled"), cls="qh-c-sched-tag"),
            rx.cond(
                card.promised_ms > 0,
                _el(
                    "span",
                    rx.el.span(class_name="qh-when", custom_attrs={"data-at": card.promised_ms}),
                    " ",
                    rx.cond(card.delivery == "pickup", t("board.expected_pickup"), t("board.expected_delivery")),
                    cls="qh-c-sched-at",
                ),
            ),
            cls="qh-c-sched",
        ),
    )


def _overdue(card: CardView) -> rx.Component:
    """Shown by board.js once the accept deadline has passed, until the platform cancels it."""
    return rx.cond(
        (card.tab == "new") & (card.accept_deadline_ms > 0),
        _el(
            "div",
            rx.icon("timer-off", size=16),
            _el("strong", t("board.overdue")),
            _el("span", t("board.overdue_hint")),
            cls="qh-c-overdue",
            custom_attrs={"data-deadline": card.accept_deadline_ms},
        ),
    )


def _delivery_label(kind) -> rx.Component:
    return rx.match(
        kind,
        ("self", t("delivery.self")),
        ("pickup", t("delivery.pickup")),
        ("express", t("delivery.express")),
        t("delivery.platform"),
    )


def _primary(card: CardView) -> rx.Component:
    def button(key: str, handler, permission: str, color: str = "indigo") -> rx.Component:
        """Hidden when the role lacks the permission (the handler refuses it anyway)."""
        return rx.el.button(
            t(key),
            on_click=handler(card.id),
            class_name=f"qh-primary qh-btn qh-btn-{color}",
            type="button",
            style={"display": rx.cond(AuthState.perms.contains(permission), "", "none")},
        )

    return rx.match(
        card.action,
        ("accept", button("action.accept", BoardState.accept, "order.accept")),
        ("ready", button("action.ready", BoardState.ready, "order.ready", "green")),
        ("dispatch_self", button("action.dispatch_self", BoardState.dispatch_self, "order.dispatch", "cyan")),
        ("delivered", button("action.delivered", BoardState.delivered, "order.deliver", "green")),
        ("ack_exception", button("action.ack_exception", BoardState.ack_exception, "order.exception", "gray")),
        (
            "ship",  # the drawer on 订单 takes the tracking number or prints a 电子面单
            rx.el.button(
                t("board.ship"),
                on_click=rx.redirect("/orders?order=" + card.id.to_string()),
                class_name="qh-primary qh-btn qh-btn-green",
                type="button",
                style={"display": rx.cond(AuthState.perms.contains("erp.ship"), "", "none")},
            ),
        ),
        rx.cond(
            card.pending != "",
            rx.el.button(
                rx.spinner(size="2"), t("board.pending"), class_name="qh-btn qh-btn-soft", disabled=True, type="button"
            ),
            rx.cond(
                card.tab == "awaiting_rider",
                _el(
                    "div",
                    rx.icon("bike", size=16),
                    rx.cond(card.rider_status != "", t("dispatch.waiting"), t("board.waiting_rider")),
                    cls="qh-c-note",
                ),
            ),
        ),
    )


def _more(card: CardView) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.el.button(
                rx.icon("ellipsis", size=20),
                class_name="qh-btn qh-btn-soft qh-c-more",
                aria_label="more",
                type="button",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.icon("printer", size=16),
                t("action.print58"),
                on_click=rx.call_script("window.open('/print?id=" + card.id.to_string() + "&w=58','_blank')"),
            ),
            rx.dropdown_menu.item(
                rx.icon("printer", size=16),
                t("action.print80"),
                on_click=rx.call_script("window.open('/print?id=" + card.id.to_string() + "&w=80','_blank')"),
            ),
            rx.dropdown_menu.item(
                rx.icon("file-text", size=16), t("action.detail"), on_click=rx.redirect("/orders?q=" + card.no)
            ),
            rx.cond(
                card.can_part_refund & ((card.tab == "picking") | (card.tab == "awaiting_rider")),
                rx.dropdown_menu.item(
                    rx.icon("package-minus", size=16),
                    t("aftersale.missing_refund"),
                    on_click=MissingRefundState.ask(card.id),
                    class_name="qh-missing-refund",
                ),
            ),
            rx.cond(
                (card.tab == "new")
                | (card.tab == "picking")
                | (card.tab == "scheduled")
                | (card.tab == "awaiting_rider"),
                rx.cond(
                    card.can_reject,
                    rx.fragment(
                        rx.dropdown_menu.separator(),
                        rx.dropdown_menu.item(
                            rx.icon("circle-x", size=16),
                            t("action.reject"),
                            color="red",
                            on_click=BoardState.ask_reject(card.id, card.platform),
                        ),
                    ),
                    # The platform has no reject call: say where it is done instead of pretending.
                    rx.cond(
                        card.elsewhere != "",
                        rx.fragment(
                            rx.dropdown_menu.separator(),
                            rx.dropdown_menu.item(
                                rx.icon("info", size=16),
                                _in_lang(card.elsewhere, card.elsewhere_en),
                                disabled=True,
                                class_name="qh-elsewhere",
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )


def order_card(card: CardView) -> rx.Component:
    return _el(
        "div",
        _el(
            "div",
            platform_badge(card.platform),
            _el("span", card.seq, cls="qh-seq"),
            _mark(card),
            _el("span", card.shop, cls="qh-c-shop"),
            rx.cond(card.auto, _el("span", t("board.auto"), cls="qh-c-tag")),
            cls="qh-c-head",
        ),
        _end_reason(card),
        _overdue(card),
        _scheduled(card),
        _timers(card),
        _el("div", rx.foreach(card.lines, _item), cls="qh-c-items"),
        rx.cond(
            card.short != "",
            _el(
                "div",
                rx.icon("package-x", size=16),
                _el("span", _in_lang(card.short, card.short_en)),
                cls="qh-c-alert qh-c-short",
            ),
        ),
        rx.cond(
            card.memo != "",
            _el("div", rx.icon("message-square-text", size=14), _el("span", card.memo), cls="qh-c-memo"),
        ),
        _el(
            "div",
            _el("span", card.receiver, cls="qh-c-receiver"),
            rx.cond(
                card.callable_phone != "",
                rx.el.a(card.phone, href="tel:" + card.callable_phone, class_name="qh-c-phone"),
                _el("span", card.phone, cls="qh-c-phone qh-muted"),
            ),
            rx.cond(
                card.distance != "",
                _el("span", rx.icon("map-pin", size=12), card.distance, cls="qh-c-tag qh-c-distance"),
            ),
            cls="qh-c-row",
        ),
        _el("div", card.address, cls="qh-c-address"),
        _el(
            "div",
            _el("span", card.amount, cls="qh-c-amount"),
            _el("span", _delivery_label(card.delivery), cls="qh-c-tag qh-c-delivery"),
            cls="qh-c-row",
        ),
        rider_line(card),
        rx.cond(
            card.exception != "",
            _el(
                "div",
                rx.icon("triangle-alert", size=16),
                _el("span", _in_lang(card.exception, card.exception_en)),
                rx.cond(
                    card.after_sale,
                    rx.link(t("aftersale.open_record"), href=f"/aftersales?order={card.id}", class_name="qh-c-as-link"),
                ),
                cls="qh-c-alert",
            ),
        ),
        rx.cond(
            card.error != "",
            _el(
                "div",
                rx.icon("circle-alert", size=16),
                _el("span", _in_lang(card.error, card.error_en)),
                cls="qh-c-alert qh-action-error",
            ),
        ),
        _el("div", _el("div", _primary(card), cls="qh-c-grow"), call_button(card), _more(card), cls="qh-c-actions"),
        cls=rx.cond(
            card.tab == "new", "qh-card qh-card-new", rx.cond(card.mark != "", "qh-card qh-card-ended", "qh-card")
        ),
        custom_attrs={"data-order-id": card.id, "data-platform-order-id": card.platform_order_id},
    )


# React re-renders a card only when its content changed (`rev` is a hash of the view), not
# whenever its tab's list arrives again with one new card on top.
_SAME_CARD = rx.vars.FunctionStringVar.create(
    "((C) => memo(C, (a, b) => a.card.rev === b.card.rev))",
    _var_data=rx.vars.VarData(imports={"react": [ImportVar(tag="memo")]}),
)


@rx.memo(wrapper=_SAME_CARD)
def board_card(card: rx.Var[CardView], rest: rx.RestProp) -> rx.Component:  # rest: React's key
    return order_card(card)
