"""门店与店铺: store cards, each with its bound platform shops."""

import reflex as rx

from components.badges import platform_badge
from components.form_bits import WRAP
from components.i18n import t
from components.layout import app_shell, page_header
from components.shop_oauth import authorize_button, oauth_notice, token_line
from components.store_forms import shop_dialog, store_dialog
from state.auth import AuthState
from state.lang import LangState
from state.platform_calls import PlatformCallsState
from state.shop_form import ShopFormState
from state.stores import StoresState


def _confirm_delete(on_confirm, trigger_id: str) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.icon_button(
                rx.icon("trash-2", size=16), variant="ghost", color_scheme="red", aria_label="delete", id=trigger_id
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("common.delete")),
            rx.alert_dialog.description(t("common.confirm_delete")),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("common.delete"), color_scheme="red", on_click=on_confirm)),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="400px",
        ),
    )


def _pull_line(log: dict) -> rx.Component:
    """One pull of the shop: when, what, result, progress (live while it runs)."""
    status = rx.match(
        log["status"],
        ("ok", rx.badge(t("pulls.status.ok"), color_scheme="green", size="1")),
        ("failed", rx.badge(t("pulls.status.failed"), color_scheme="red", size="1")),
        ("running", rx.badge(rx.spinner(size="1"), t("pulls.status.running"), color_scheme="blue", size="1")),
        rx.badge(t("pulls.status.queued"), color_scheme="gray", size="1"),
    )
    kind = rx.match(
        log["kind"], ("manual", t("pulls.kind.manual")), ("refunds", t("pulls.kind.refunds")), t("pulls.kind.sweep")
    )
    progress = rx.cond(
        LangState.lang == "en",
        log["pages"] + " pages · " + log["orders"] + " orders · " + log["changed"] + " changed",
        log["pages"] + " 页 · " + log["orders"] + " 单 · 变更 " + log["changed"],
    )
    return rx.vstack(
        rx.hstack(
            status,
            rx.text(kind, size="1", weight="medium"),
            rx.text(log["when"], size="1", color_scheme="gray"),
            rx.text(log["window"], size="1", color_scheme="gray", class_name="tabular"),
            rx.text(progress, size="1", color_scheme="gray", class_name="tabular"),
            rx.text(log["duration"], size="1", color_scheme="gray", class_name="tabular"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(log["error"] != "", rx.text(log["error"], size="1", color=rx.color("red", 11), word_break="break-all")),
        spacing="0",
        width="100%",
        padding_left="4px",
        class_name="pull-log",
    )


def pull_dialog() -> rx.Component:
    f = PlatformCallsState.pull_form
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("pulls.dialog_title")),
            rx.text(f["shop_name"], size="2", weight="medium"),
            rx.text(t("pulls.dialog_hint"), size="1", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.flex(
                        rx.vstack(
                            rx.text(t("pulls.from"), size="2", weight="medium"),
                            rx.input(
                                type="datetime-local",
                                name="from",
                                default_value=f["from"],
                                key=f["shop_id"] + f["from"],
                                width="100%",
                                id="pull-from",
                            ),
                            spacing="1",
                            width="100%",
                        ),
                        rx.vstack(
                            rx.text(t("pulls.to"), size="2", weight="medium"),
                            rx.input(
                                type="datetime-local",
                                name="to",
                                default_value=f["to"],
                                key=f["shop_id"] + f["to"],
                                width="100%",
                                id="pull-to",
                            ),
                            spacing="1",
                            width="100%",
                        ),
                        gap="12px",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    rx.cond(
                        PlatformCallsState.pull_error != "",
                        rx.callout(
                            PlatformCallsState.pull_error,
                            color_scheme="red",
                            icon="triangle-alert",
                            size="1",
                            width="100%",
                        ),
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(rx.icon("download", size=16), t("pulls.start"), type="submit", id="pull-start"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=PlatformCallsState.start_pull,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=PlatformCallsState.pull_dialog,
        on_open_change=PlatformCallsState.set_pull_dialog,
    )


def _shop_row(shop: dict) -> rx.Component:
    result = PlatformCallsState.test_results.get(shop["id"], "")
    return rx.vstack(
        rx.hstack(
            platform_badge(shop["platform"]),
            rx.vstack(
                rx.text(shop["name"], size="2", weight="medium", style=WRAP),
                rx.text(
                    "ID " + shop["platform_shop_id"], size="1", color_scheme="gray", font_family="monospace", style=WRAP
                ),
                spacing="0",
                flex="1",
                min_width="8em",  # on a phone the buttons wrap below rather than squeeze the name
            ),
            rx.cond(
                shop["auto_accept"] == "1", rx.badge(t("shops.auto_accept"), color_scheme="indigo", variant="surface")
            ),
            rx.cond(
                shop["enabled"] == "1",
                rx.badge(t("common.enabled"), color_scheme="green"),
                rx.badge(t("common.disabled"), color_scheme="gray"),
            ),
            rx.cond(
                AuthState.can_manage,
                rx.hstack(
                    authorize_button(shop),
                    rx.cond(
                        shop["platform"] != "offline",
                        rx.button(
                            rx.cond(
                                PlatformCallsState.testing_shop == shop["id"],
                                rx.spinner(size="1"),
                                rx.icon("plug-zap", size=14),
                            ),
                            t("shops.test"),
                            size="1",
                            variant="soft",
                            on_click=PlatformCallsState.test_connection(shop["id"]),
                            disabled=PlatformCallsState.testing_shop != "",
                            class_name="shop-test",
                        ),
                    ),
                    rx.cond(
                        shop["pullable"] == "1",
                        rx.button(
                            rx.icon("download", size=14),
                            t("pulls.pull"),
                            size="1",
                            variant="soft",
                            on_click=PlatformCallsState.open_pull(shop),
                            class_name="shop-pull",
                        ),
                    ),
                    rx.icon_button(
                        rx.icon("pencil", size=16),
                        variant="ghost",
                        on_click=ShopFormState.edit_shop(shop),
                        aria_label="edit",
                    ),
                    _confirm_delete(ShopFormState.delete_shop(shop["id"]), "shop-delete"),
                    spacing="1",
                    align="center",
                ),
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        token_line(shop),
        rx.cond(
            result != "",
            rx.text(
                result,
                size="1",
                color=rx.cond(result.startswith("✓"), rx.color("green", 11), rx.color("red", 11)),
                class_name="shop-test-result",
            ),
        ),
        rx.foreach(PlatformCallsState.pull_logs, lambda log: rx.cond(log["shop_id"] == shop["id"], _pull_line(log))),
        spacing="1",
        width="100%",
        padding_y="8px",
        border_top=f"1px solid {rx.color('gray', 4)}",
        class_name="shop-row",
    )


def _store_card(store: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("store", size=20, color=rx.color("accent", 9)),
                rx.heading(store["name"], size="4", style=WRAP),
                rx.spacer(),
                rx.cond(
                    AuthState.can_manage,
                    rx.hstack(
                        rx.icon_button(
                            rx.icon("pencil", size=16),
                            variant="ghost",
                            on_click=StoresState.edit_store(store),
                            aria_label="edit",
                        ),
                        _confirm_delete(StoresState.delete_store(store["id"]), "store-delete"),
                        spacing="1",
                    ),
                ),
                align="center",
                width="100%",
            ),
            rx.text(store["address"], size="2", color_scheme="gray", white_space="normal", style=WRAP),
            rx.hstack(
                rx.cond(
                    store["opening_hours"] != "",
                    rx.badge(rx.icon("clock", size=12), store["opening_hours"], variant="surface"),
                ),
                rx.cond(store["phone"] != "", rx.badge(rx.icon("phone", size=12), store["phone"], variant="surface")),
                spacing="2",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text(t("stores.shops"), size="2", weight="bold"),
                rx.spacer(),
                rx.cond(
                    AuthState.can_manage,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("shops.add"),
                        size="1",
                        variant="soft",
                        on_click=ShopFormState.new_shop(store["id"]),
                        class_name="shop-add",
                    ),
                ),
                width="100%",
                margin_top="8px",
                align="center",
            ),
            rx.foreach(StoresState.shops, lambda shop: rx.cond(shop["store_id"] == store["id"], _shop_row(shop))),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="store-card",
    )


def stores_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header(
                "stores.title",
                rx.cond(
                    AuthState.can_manage,
                    rx.button(
                        rx.icon("plus", size=16), t("stores.add"), on_click=StoresState.new_store, id="store-add"
                    ),
                ),
            ),
            oauth_notice(),
            rx.cond(
                StoresState.stores.length() == 0,
                rx.center(
                    rx.text(t("stores.empty"), color_scheme="gray", text_align="center"),
                    padding="48px 16px",
                    width="100%",
                ),
                rx.grid(
                    rx.foreach(StoresState.stores, _store_card),
                    columns=rx.breakpoints(initial="1", md="2", xl="3"),
                    gap="16px",
                    width="100%",
                ),
            ),
            store_dialog(),
            shop_dialog(),
            pull_dialog(),
            width="100%",
        ),
        active="/stores",
        title_key="nav.stores",
    )
