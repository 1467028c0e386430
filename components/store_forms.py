"""门店与店铺 forms: the store dialog and the shop dialog (fields, messages at the field)."""

import reflex as rx

from components.form_bits import field
from components.i18n import t
from state.lang import LangState
from state.shop_form import ShopFormState
from state.stores import StoresState


def _form_error(error) -> rx.Component:
    return rx.cond(error != "", rx.callout(error, color_scheme="red", icon="triangle-alert", size="1", width="100%"))


def store_dialog() -> rx.Component:
    f = StoresState.store_form
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(f["id"] == "", t("stores.add"), t("stores.edit"))),
            rx.form(
                rx.vstack(
                    field("stores.name", "name", f["name"], StoresState.errors, limit="store_name", id="store-name"),
                    field(
                        "stores.address",
                        "address",
                        f["address"],
                        StoresState.errors,
                        limit="address",
                        id="store-address",
                    ),
                    rx.flex(
                        field(
                            "stores.phone",
                            "phone",
                            f["phone"],
                            StoresState.errors,
                            limit="phone",
                            type="tel",
                            id="store-phone",
                        ),
                        field(
                            "stores.hours",
                            "opening_hours",
                            f["opening_hours"],
                            StoresState.errors,
                            limit="opening_hours",
                            placeholder="09:00-22:00",
                            id="store-hours",
                        ),
                        gap="12px",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    rx.flex(
                        field(
                            "stores.lat",
                            "lat",
                            f["lat"],
                            StoresState.errors,
                            limit="coordinate",
                            placeholder="31.230416",
                            input_mode="decimal",
                            id="store-lat",
                        ),
                        field(
                            "stores.lng",
                            "lng",
                            f["lng"],
                            StoresState.errors,
                            limit="coordinate",
                            placeholder="121.473701",
                            input_mode="decimal",
                            id="store-lng",
                        ),
                        gap="12px",
                        direction=rx.breakpoints(initial="column", sm="row"),
                        width="100%",
                    ),
                    _form_error(StoresState.form_error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="store-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                ),
                on_submit=StoresState.save_store,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=StoresState.store_dialog,
        on_open_change=StoresState.set_store_dialog,
    )


def shop_dialog() -> rx.Component:
    f = ShopFormState.shop_form
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(f["id"] == "", t("shops.add"), t("shops.edit"))),
            rx.form(
                rx.vstack(
                    rx.text(t("shops.platform"), size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(width="100%", id="shop-platform"),
                        rx.select.content(
                            rx.foreach(
                                ShopFormState.platform_options,
                                lambda o: rx.select.item(rx.cond(LangState.lang == "en", o[2], o[1]), value=o[0]),
                            ),
                        ),
                        value=f["platform"],
                        on_change=ShopFormState.set_shop_platform,
                        disabled=f["id"] != "",
                        size="3",
                    ),
                    field("shops.name", "name", f["name"], ShopFormState.errors, limit="shop_name", id="shop-name"),
                    field(
                        "shops.platform_shop_id",
                        "platform_shop_id",
                        f["platform_shop_id"],
                        ShopFormState.errors,
                        limit="platform_shop_id",
                        id="shop-platform-id",
                        disabled=f["id"] != "",
                    ),
                    field(
                        "shops.app_key",
                        "app_key",
                        "",
                        ShopFormState.errors,
                        limit="app_key",
                        id="shop-app-key",
                        auto_complete="off",
                    ),
                    field(
                        "shops.app_secret",
                        "app_secret",
                        "",
                        ShopFormState.errors,
                        limit="app_secret",
                        type="password",
                        id="shop-app-secret",
                        auto_complete="new-password",
                        placeholder=rx.cond(f["id"] == "", "", t("shops.secret_kept")),
                    ),
                    rx.checkbox(t("shops.enabled"), name="enabled", default_checked=f["enabled"] == "1"),
                    rx.box(
                        rx.checkbox(
                            t("shops.auto_accept"),
                            name="auto_accept",
                            default_checked=f["auto_accept"] == "1",
                            id="shop-auto-accept",
                        ),
                        rx.text(t("shops.auto_accept_hint"), size="1", color_scheme="gray", margin_top="4px"),
                        rx.flex(
                            field(
                                "shops.auto_from",
                                "auto_accept_start",
                                f["auto_accept_start"],
                                ShopFormState.errors,
                                type="time",
                                id="shop-auto-from",
                            ),
                            field(
                                "shops.auto_to",
                                "auto_accept_end",
                                f["auto_accept_end"],
                                ShopFormState.errors,
                                type="time",
                                id="shop-auto-to",
                            ),
                            field(
                                "shops.auto_max",
                                "auto_accept_max_per_hour",
                                f["auto_accept_max_per_hour"],
                                ShopFormState.errors,
                                limit="hourly_cap",
                                input_mode="numeric",
                                id="shop-auto-max",
                            ),
                            gap="8px",
                            margin_top="8px",
                        ),
                        padding="10px",
                        border_radius="8px",
                        background=rx.color("gray", 2),
                        width="100%",
                    ),
                    _form_error(ShopFormState.form_error),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="shop-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                    ),
                    spacing="3",
                ),
                on_submit=ShopFormState.save_shop,
                reset_on_submit=False,
            ),
            max_width="520px",
        ),
        open=ShopFormState.shop_dialog,
        on_open_change=ShopFormState.set_shop_dialog,
    )
