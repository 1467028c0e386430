"""ERP 对接 page parts: the connections (cards) and the connection form."""

import reflex as rx

from components.form_bits import field_error
from components.i18n import t
from state.erp_connections import ErpConnectionsState
from state.lang import LangState

S = ErpConnectionsState


def _in_lang(zh, en) -> rx.Var:
    return rx.cond(LangState.lang == "en", en, zh)


def _card(row: dict) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row["name"], weight="bold", size="3"),
                rx.badge(row["erp_name"], variant="soft"),
                rx.cond(row["enabled"] == "", rx.badge(t("erp.ui.off"), color_scheme="gray")),
                rx.spacer(),
                rx.text(
                    rx.cond(row["store"] == "", t("erp.ui.all_stores"), row["store"]), size="2", color_scheme="gray"
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text(row["base_url"], size="1", font_family="monospace", color_scheme="gray", word_break="break-all"),
            rx.cond(
                row["check"] != "", rx.text(_in_lang(row["check"], row["check_en"]), size="2", class_name="erp-check")
            ),
            rx.hstack(
                rx.button(t("erp.ui.edit"), variant="soft", size="2", on_click=S.edit(row)),
                rx.button(
                    t("erp.ui.test"),
                    variant="outline",
                    size="2",
                    on_click=S.test(row["id"]),
                    loading=S.testing == row["id"],
                    class_name="erp-test",
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="erp-connection",
    )


def connection_list() -> rx.Component:
    return rx.vstack(
        rx.cond(S.rows.length() == 0, rx.text(t("erp.ui.no_connections"), color_scheme="gray")),
        rx.foreach(S.rows, _card),
        spacing="3",
        width="100%",
    )


def _input(label: str, name: str, **props) -> rx.Component:
    return rx.vstack(
        rx.text(t(label), size="2", weight="medium"),
        rx.input(name=name, width="100%", size="3", **props),
        field_error(S.form_errors[name]),
        spacing="1",
        width="100%",
    )


def _key_input(f: dict) -> rx.Component:
    """One of the kind's keys; a secret one is never shown again (empty keeps it)."""
    secret = f["secret"] == "1"
    return rx.vstack(
        rx.text(_in_lang(f["label_zh"], f["label_en"]), size="2", weight="medium"),
        rx.input(
            name="k_" + f["name"],
            default_value=f["value"],
            type=rx.cond(secret, "password", "text"),
            placeholder=rx.cond(
                secret & (S.form["id"] != ""), t("erp.ui.secret_keep"), _in_lang(f["hint_zh"], f["hint_en"])
            ),
            max_length=256,
            width="100%",
            size="3",
            class_name="erp-key",
        ),
        field_error(S.form_errors[f["name"]]),
        spacing="1",
        width="100%",
    )


def _select(label: str, name: str, options: list[tuple[str, str]]) -> rx.Component:
    return rx.vstack(
        rx.text(t(label), size="2", weight="medium"),
        rx.select.root(
            rx.select.trigger(width="100%"),
            rx.select.content(*[rx.select.item(t(key), value=value) for value, key in options]),
            value=S.form[name],
            on_change=lambda v: S.set_choice(name, v),
            size="3",
        ),
        spacing="1",
        width="100%",
    )


def _switch(label: str, name: str) -> rx.Component:
    return rx.hstack(
        rx.switch(checked=S.form[name] == "1", on_change=lambda v: S.set_flag(name, v)),
        rx.text(t(label), size="2"),
        spacing="2",
        align="center",
    )


def connection_form() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("erp.ui.form_title")),
            rx.form(
                rx.vstack(
                    _input("erp.ui.name", "name", default_value=S.form["name"], max_length=40),
                    rx.vstack(
                        rx.text(t("erp.ui.kind"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    S.kinds, lambda k: rx.select.item(_in_lang(k["zh"], k["en"]), value=k["code"])
                                )
                            ),
                            value=S.form["erp"],
                            on_change=lambda v: S.set_choice("erp", v),
                            disabled=S.form["id"] != "",
                            size="3",
                        ),
                        width="100%",
                        spacing="1",
                    ),
                    rx.vstack(
                        rx.text(t("erp.ui.store"), size="2", weight="medium"),
                        rx.select.root(
                            rx.select.trigger(width="100%"),
                            rx.select.content(
                                rx.select.item(t("erp.ui.all_stores"), value="all"),
                                rx.foreach(S.store_options, lambda s: rx.select.item(s["name"], value=s["id"])),
                            ),
                            value=S.form["store_id"],
                            on_change=lambda v: S.set_choice("store_id", v),
                            size="3",
                        ),
                        field_error(S.form_errors["store_id"]),
                        width="100%",
                        spacing="1",
                    ),
                    _input(
                        "erp.ui.url",
                        "base_url",
                        default_value=S.form["base_url"],
                        max_length=500,
                        placeholder="https://",
                    ),
                    rx.foreach(S.kind_fields, _key_input),
                    _select(
                        "erp.ui.push_on",
                        "push_on",
                        [("accept", "erp.ui.push_on.accept"), ("paid", "erp.ui.push_on.paid")],
                    ),
                    _select(
                        "erp.ui.customer_mode",
                        "customer_mode",
                        [("per_buyer", "erp.ui.customer.per_buyer"), ("per_shop", "erp.ui.customer.per_shop")],
                    ),
                    _switch("erp.ui.push_cancels", "push_cancels"),
                    _switch("erp.ui.push_after_sales", "push_after_sales"),
                    _switch("erp.ui.enabled", "enabled"),
                    rx.cond(S.form_error != "", rx.callout(S.form_error, color_scheme="red", width="100%")),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("erp.ui.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("erp.ui.save"), type="submit", id="erp-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=S.save,
                width="100%",
            ),
            max_width="520px",
        ),
        open=S.form_open,
        on_open_change=S.set_form_open,
    )


def _customer(row: dict) -> rx.Component:
    name = "shop_" + row["shop_id"]
    return rx.vstack(
        rx.text(row["shop"], size="2", weight="medium"),
        rx.input(
            name=name,
            default_value=row["code"],
            max_length=40,
            size="3",
            width="100%",
            placeholder=t("erp.ui.customer_code"),
        ),
        field_error(S.customer_errors[name]),
        spacing="1",
        width="100%",
    )


def customers_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("erp.ui.shop_customers")),
            rx.text(t("erp.ui.shop_customers_hint"), size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.foreach(S.customer_rows, _customer),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("erp.ui.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("erp.ui.save"), type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="12px",
                ),
                on_submit=S.save_customers,
                width="100%",
            ),
            max_width="520px",
        ),
        open=S.customers_open,
        on_open_change=S.set_customers_open,
    )
