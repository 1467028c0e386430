"""Dispatch board pieces: tab bar (phone), columns (desk), the order card and the reject dialog."""

import reflex as rx
from reflex.utils.imports import ImportVar

from components.badges import platform_badge
from components.i18n import t
from qihang_app.domain.board import TAB_ORDER
from state.board import BoardState, CardView
from state.lang import LangState

CARD_LISTS = {tab.value: getattr(BoardState, f"{tab.value}_cards") for tab in TAB_ORDER}


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
        _el("span", t("board.placed"), " ", rx.el.span(class_name="qh-elapsed", custom_attrs={"data-since": card.placed_ms}), cls="qh-muted"),
        rx.cond(
            card.tab == "new",
            rx.cond(
                card.accept_deadline_ms > 0,
                rx.el.span(t("board.accept_in"), " ", rx.el.span(class_name="qh-countdown", custom_attrs={"data-deadline": card.accept_deadline_ms}), class_name="qh-deadline", custom_attrs={"data-deadline": card.accept_deadline_ms}),
            ),
            rx.cond(
                card.promised_ms > 0,
                rx.el.span(t("board.deliver_by"), " ", rx.el.span(class_name="qh-clock", custom_attrs={"data-at": card.promised_ms}), " · ", rx.el.span(class_name="qh-countdown", custom_attrs={"data-deadline": card.promised_ms}), class_name="qh-deadline", custom_attrs={"data-deadline": card.promised_ms}),
            ),
        ),
        cls="qh-c-timers",
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
    def button(key: str, handler, color: str = "indigo") -> rx.Component:
        return rx.el.button(t(key), on_click=handler(card.id), class_name=f"qh-primary qh-btn qh-btn-{color}", type="button")

    return rx.match(
        card.action,
        ("accept", button("action.accept", BoardState.accept)),
        ("ready", button("action.ready", BoardState.ready, "green")),
        ("dispatch_self", button("action.dispatch_self", BoardState.dispatch_self, "cyan")),
        ("delivered", button("action.delivered", BoardState.delivered, "green")),
        ("ack_exception", button("action.ack_exception", BoardState.ack_exception, "gray")),
        rx.cond(
            card.pending != "",
            rx.el.button(rx.spinner(size="2"), t("board.pending"), class_name="qh-btn qh-btn-soft", disabled=True, type="button"),
            rx.cond(card.tab == "awaiting_rider", _el("div", rx.icon("bike", size=16), t("board.waiting_rider"), cls="qh-c-note")),
        ),
    )


def _more(card: CardView) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(rx.el.button(rx.icon("ellipsis", size=20), class_name="qh-btn qh-btn-soft qh-c-more", aria_label="more", type="button")),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(rx.icon("printer", size=16), t("action.print58"), on_click=rx.call_script("window.open('/print?id=" + card.id.to_string() + "&w=58','_blank')")),
            rx.dropdown_menu.item(rx.icon("printer", size=16), t("action.print80"), on_click=rx.call_script("window.open('/print?id=" + card.id.to_string() + "&w=80','_blank')")),
            rx.dropdown_menu.item(rx.icon("file-text", size=16), t("action.detail"), on_click=rx.redirect("/orders?q=" + card.no)),
            rx.cond(
                (card.tab == "new") | (card.tab == "picking") | (card.tab == "scheduled") | (card.tab == "awaiting_rider"),
                rx.cond(
                    card.can_reject,
                    rx.fragment(rx.dropdown_menu.separator(), rx.dropdown_menu.item(rx.icon("circle-x", size=16), t("action.reject"), color="red", on_click=BoardState.ask_reject(card.id, card.platform))),
                    # The platform has no reject call: say where it is done instead of pretending.
                    rx.cond(card.elsewhere != "", rx.fragment(rx.dropdown_menu.separator(), rx.dropdown_menu.item(rx.icon("info", size=16), rx.cond(LangState.lang == "en", card.elsewhere_en, card.elsewhere), disabled=True, class_name="qh-elsewhere"))),
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
            _el("span", card.shop, cls="qh-c-shop"),
            rx.cond(card.auto, _el("span", t("board.auto"), cls="qh-c-tag")),
            cls="qh-c-head",
        ),
        _timers(card),
        _el("div", rx.foreach(card.lines, _item), cls="qh-c-items"),
        rx.cond(card.memo != "", _el("div", rx.icon("message-square-text", size=14), _el("span", card.memo), cls="qh-c-memo")),
        _el(
            "div",
            _el("span", card.receiver, cls="qh-c-receiver"),
            rx.cond(
                card.callable_phone != "",
                rx.el.a(card.phone, href="tel:" + card.callable_phone, class_name="qh-c-phone"),
                _el("span", card.phone, cls="qh-c-phone qh-muted"),
            ),
            rx.cond(card.distance != "", _el("span", rx.icon("map-pin", size=12), card.distance, cls="qh-c-tag qh-c-distance")),
            cls="qh-c-row",
        ),
        _el("div", card.address, cls="qh-c-address"),
        _el(
            "div",
            _el("span", card.amount, cls="qh-c-amount"),
            _el("span", _delivery_label(card.delivery), cls="qh-c-tag qh-c-delivery"),
            rx.cond(card.rider != "", _el("span", rx.icon("bike", size=14), card.rider, cls="qh-c-rider")),
            cls="qh-c-row",
        ),
        rx.cond(card.exception != "", _el("div", rx.icon("triangle-alert", size=16), _el("span", _in_lang(card.exception, card.exception_en)), cls="qh-c-alert")),
        rx.cond(card.error != "", _el("div", rx.icon("circle-alert", size=16), _el("span", _in_lang(card.error, card.error_en)), cls="qh-c-alert qh-action-error")),
        _el("div", _el("div", _primary(card), cls="qh-c-grow"), _more(card), cls="qh-c-actions"),
        cls=rx.cond(card.tab == "new", "qh-card qh-card-new", "qh-card"),
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


def _tab_label(tab: str, where: str) -> rx.Component:
    count = BoardState.counts[tab]
    pulse = (tab in ("new", "exception"))
    badge_color = {"new": "indigo", "exception": "red"}.get(tab, "gray")
    return rx.hstack(
        rx.text(t(f"tab.{tab}"), size="3", weight="medium", white_space="nowrap"),
        rx.badge(count.to_string(), color_scheme=badge_color, variant=rx.cond(count > 0, "solid", "soft") if pulse else "soft",
                 class_name=rx.cond(count > 0, "qh-pulse", "") if pulse else "", id=f"{where}-count-{tab}"),
        spacing="1",
        align="center",
    )


def tab_bar() -> rx.Component:
    """Phone: tabs pinned at the top, scrolling sideways."""
    return rx.box(
        rx.hstack(
            *[
                rx.box(
                    _tab_label(tab.value, "tab"),
                    on_click=BoardState.set_tab(tab.value),
                    padding="10px 12px",
                    min_height="44px",
                    border_bottom=rx.cond(BoardState.tab == tab.value, f"3px solid {rx.color('accent', 9)}", "3px solid transparent"),
                    color=rx.cond(BoardState.tab == tab.value, rx.color("accent", 11), rx.color("gray", 11)),
                    cursor="pointer",
                    id=f"tab-{tab.value}",
                    class_name="qh-tab",
                )
                for tab in TAB_ORDER
            ],
            spacing="0",
            width="max-content",
        ),
        overflow_x="auto",
        position="sticky",
        top="52px",
        z_index="20",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        margin_x="-12px",
        padding_x="4px",
        display=["block", "block", "block", "none"],
        style={"scrollbar_width": "none"},
    )


def _empty(tab: str) -> rx.Component:
    return rx.center(rx.text(t(f"empty.{tab}"), size="2", color=rx.color("gray", 10), text_align="center"), padding="32px 12px", width="100%")


def _show_more(tab: str) -> rx.Component:
    """Under a tab's cards when it holds more than were sent."""
    hidden = BoardState.counts[tab] - CARD_LISTS[tab].length()
    return rx.cond(
        hidden > 0,
        rx.button(rx.icon("chevrons-down", size=16), t("board.more"), " (", hidden.to_string(), ")", variant="soft", color_scheme="gray", size="3",
                  width="100%", min_height="44px", on_click=BoardState.show_more(tab), class_name="qh-more", id=f"more-{tab}"),
    )


def _cards(tab: str) -> rx.Component:
    cards = CARD_LISTS[tab]
    return rx.cond(cards.length() == 0, _empty(tab), rx.vstack(rx.foreach(cards, lambda c: board_card(card=c, key=c.id)), _show_more(tab), spacing="3", width="100%"))


def phone_list() -> rx.Component:
    return rx.box(
        rx.match(BoardState.tab, *[(tab.value, _cards(tab.value)) for tab in TAB_ORDER], _cards("new")),
        padding_top="12px",
        display=["block", "block", "block", "none"],
        id="board-list",
    )


def board_body() -> rx.Component:
    """Only one of the two layouts is in the page: a phone must not render hidden columns."""
    return rx.cond(BoardState.layout == "desk", desk_columns(), phone_list())


def layout_sync() -> rx.Component:
    """Clicked by board.js when the window crosses the desk breakpoint."""
    return rx.el.button(id="qh-layout-sync", on_click=BoardState.probe_layout, style={"display": "none"}, aria_hidden="true", tab_index=-1)


def desk_columns() -> rx.Component:
    """Desk: one column per tab, side by side, each scrolling on its own."""
    return rx.hstack(
        *[
            rx.vstack(
                rx.hstack(
                    _tab_label(tab.value, "column"),
                    rx.spacer(),
                    rx.cond(
                        tab.value == "picking",
                        rx.button(rx.icon("list-checks", size=14), t("action.picklist"), size="1", variant="soft",
                                  on_click=rx.call_script("window.open('/print?picklist=1','_blank')")),
                    ),
                    width="100%",
                    padding="8px 4px",
                    align="center",
                ),
                rx.box(_cards(tab.value), overflow_y="auto", height="calc(100vh - 150px)", width="100%", padding_right="4px", class_name="qh-column"),
                min_width="290px",
                flex="1 1 0",
                spacing="1",
                id=f"column-{tab.value}",
            )
            for tab in TAB_ORDER
        ],
        spacing="3",
        align="start",
        overflow_x="auto",
        width="100%",
        display=["none", "none", "none", "flex"],
    )


def toolbar() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.hstack(
                rx.input(rx.input.slot(rx.icon("search", size=16)), name="q", placeholder=t("board.search"), default_value=BoardState.f_query, size="3", width="100%", id="board-search"),
                rx.cond(BoardState.f_query != "", rx.icon_button(rx.icon("x", size=16), variant="ghost", size="3", type="button", on_click=BoardState.clear_search)),
                width="100%",
            ),
            on_submit=BoardState.search,
            reset_on_submit=False,
            flex=["1 1 100%", "1 1 100%", "1 1 100%", "1 1 200px"],
            min_width="0",
        ),
        rx.cond(
            BoardState.store_options.length() > 1,
            rx.select.root(
                rx.select.trigger(min_width="130px", flex="1"),
                rx.select.content(rx.select.item(t("orders.all_stores"), value="all"), rx.foreach(BoardState.store_options, lambda s: rx.select.item(s["name"], value=s["id"]))),
                value=rx.cond(BoardState.f_store == "", "all", BoardState.f_store),
                on_change=BoardState.set_store,
                size="3",
            ),
        ),
        rx.select.root(
            rx.select.trigger(min_width="100px"),
            rx.select.content(
                rx.select.item(t("orders.all_platforms"), value="all"),
                rx.foreach(BoardState.platform_options, lambda o: rx.select.item(rx.cond(LangState.lang == "en", o[2], o[1]), value=o[0])),
            ),
            value=rx.cond(BoardState.f_platform == "", "all", BoardState.f_platform),
            on_change=BoardState.set_platform,
            size="3",
        ),
        rx.button(rx.icon("bell-off", size=16), rx.el.span(t("board.mute"), class_name="qh-mute-label qh-hide-phone"), variant="soft", color_scheme="gray", size="3",
                  custom_attrs={"data-qh-mute": "1"}, id="mute-toggle", aria_label="mute"),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
        padding_y="8px",
    )


def sound_banner() -> rx.Component:
    """Hidden by board.js once the browser lets us play sound."""
    return rx.box(
        rx.hstack(
            rx.icon("volume-2", size=22),
            rx.vstack(rx.text(t("board.sound_on"), weight="bold", size="3"), rx.text(t("board.sound_hint"), size="1"), spacing="0"),
            align="center",
            spacing="3",
        ),
        id="qh-sound-banner",
        custom_attrs={"data-qh-unlock": "1"},
        background=rx.color("amber", 9),
        color="black",
        padding="12px 16px",
        border_radius="10px",
        cursor="pointer",
        margin_bottom="8px",
        min_height="48px",
    )


def alert_probe() -> rx.Component:
    """What board.js reads to decide whether to ring (counts and platforms of unaccepted orders)."""
    return rx.el.div(
        id="qh-alert",
        custom_attrs={
            "data-count": BoardState.counts["new"],
            "data-platforms": BoardState.alert_platforms,
            "data-updated": BoardState.updated_ms,
            "data-reload-ms": BoardState.reload_ms,
        },
        style={"display": "none"},
    )


def reject_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("board.reject_title")),
            rx.alert_dialog.description(t("board.reject_hint"), size="2"),
            rx.vstack(
                rx.foreach(
                    BoardState.reject_options,
                    lambda option: rx.button(rx.cond(LangState.lang == "en", option[2], option[1]), variant="soft", color_scheme="red", size="3", width="100%",
                                             on_click=BoardState.reject(option[0]), class_name="qh-reject-reason"),
                ),
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="outline", color_scheme="gray", size="3", width="100%")),
                spacing="2",
                margin_top="12px",
            ),
            max_width="420px",
        ),
        open=BoardState.reject_open,
        on_open_change=BoardState.set_reject_open,
    )
