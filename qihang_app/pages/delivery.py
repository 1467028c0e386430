"""配送设置: a store's carrier accounts, own riders and auto-dispatch rule (phone first)."""

import reflex as rx

from components.form_bits import WRAP, field_error
from components.i18n import t
from components.layout import app_shell, page_header
from state.delivery_settings import DeliverySettingsState as S
from state.lang import LangState


def _in_lang(zh, en):
    return rx.cond(LangState.lang == "en", en, zh)


def _section(title_key: str, *children) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(t(title_key), size="4"), *children, spacing="3", width="100%"), width="100%")


def _account(a: dict) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(a["label"], weight="bold"),
            rx.text(a["name"], color_scheme="gray", size="2", style=WRAP),
            rx.spacer(),
            rx.switch(checked=a["enabled"] == "1", on_change=lambda _: S.toggle_account(a), aria_label="enabled"),
            rx.button(
                t("carriers.test"), size="2", variant="soft", on_click=S.test_account(a["id"]), id="test-" + a["id"]
            ),
            rx.button(
                rx.icon("pencil", size=14),
                t("delivery.account.edit"),
                size="2",
                variant="outline",
                on_click=S.edit_account(a["id"]),
                id="edit-" + a["id"],
            ),
            rx.icon_button(
                rx.icon("trash-2", size=16),
                variant="ghost",
                color_scheme="red",
                on_click=S.delete_account(a["id"]),
                aria_label="delete",
            ),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(S.tests.contains(a["id"]), rx.text(S.tests[a["id"]], size="2", class_name="carrier-test")),
        width="100%",
        spacing="1",
        class_name="carrier-account",
    )


def _key_input(spec: list) -> rx.Component:
    """One key of the account; a stored secret is never sent to the page: it shows 已设置."""
    return rx.vstack(
        rx.hstack(
            rx.text(_in_lang(spec[1], spec[2]), size="2", weight="medium"),
            rx.cond(
                spec[7] == "1",
                rx.badge(t("delivery.account.secret_set"), color_scheme="green", class_name="secret-set"),
            ),
            align="center",
            spacing="2",
        ),
        rx.input(
            name=spec[0],
            type=rx.cond(spec[3] == "1", "password", "text"),
            default_value=spec[6],
            placeholder=rx.cond(spec[7] == "1", t("delivery.account.secret_keep"), _in_lang(spec[4], spec[5])),
            max_length=256,
            auto_complete=rx.cond(spec[3] == "1", "new-password", "off"),
            width="100%",
            size="3",
            id="key-" + spec[0],
        ),
        field_error(S.errors[spec[0]]),
        spacing="1",
        width="100%",
    )


def account_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.account_form["id"] != "", t("delivery.account.edit_title"), t("carriers.add"))),
            rx.form(
                rx.vstack(
                    rx.text(t("carriers.name"), size="2", weight="medium"),
                    rx.input(
                        name="name",
                        default_value=S.account_form["name"],
                        max_length=40,
                        size="3",
                        width="100%",
                        id="key-name",
                    ),
                    field_error(S.errors["name"]),
                    rx.foreach(S.account_fields, _key_input),
                    rx.text(t("carriers.base_url"), size="2", weight="medium"),
                    rx.input(
                        name="base_url",
                        default_value=S.account_form["base_url"],
                        max_length=300,
                        size="3",
                        width="100%",
                        placeholder="https://",
                        id="key-base_url",
                    ),
                    field_error(S.errors["base_url"]),
                    rx.cond(S.form_error != "", rx.callout(S.form_error, color_scheme="red", size="1", width="100%")),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button(t("common.save"), type="submit", id="carrier-save"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.save_account,
                reset_on_submit=False,
                key=S.form_key,
            ),
            max_width="480px",
        ),
        open=S.account_open,
        on_open_change=S.set_account_open,
    )


def _accounts() -> rx.Component:
    return _section(
        "carriers.title",
        rx.foreach(S.accounts, _account),
        rx.hstack(
            rx.foreach(
                S.carrier_options,
                lambda c: rx.button(
                    rx.icon("plus", size=14),
                    _in_lang(c[1], c[2]),
                    size="2",
                    variant="outline",
                    on_click=S.new_account(c[0]),
                    id="add-carrier-" + c[0],
                ),
            ),
            wrap="wrap",
            spacing="2",
        ),
    )


def _rider(r: dict) -> rx.Component:
    return rx.hstack(
        rx.text(r["name"], weight="medium"),
        rx.link(r["phone"], href="tel:" + r["phone"], size="2"),
        rx.spacer(),
        rx.switch(checked=r["active"] == "1", on_change=lambda _: S.toggle_rider(r)),
        rx.button(t("riders.new_link"), size="1", variant="soft", on_click=S.new_link(r["id"])),
        align="center",
        width="100%",
        wrap="wrap",
        class_name="own-rider",
    )


def _riders() -> rx.Component:
    return _section(
        "riders.title",
        rx.foreach(S.riders, _rider),
        rx.cond(
            S.link != "",
            rx.callout(
                rx.vstack(rx.text(t("riders.link_once")), rx.code(S.link, id="rider-link", style=WRAP)),
                color_scheme="green",
                size="1",
                width="100%",
            ),
        ),
        rx.form(
            rx.flex(
                rx.vstack(
                    rx.input(name="name", placeholder="姓名 / Name", max_length=30, size="3", width="100%"),
                    field_error(S.errors["name"]),
                    spacing="1",
                    width="100%",
                ),
                rx.vstack(
                    rx.input(
                        name="phone", placeholder="手机号 / Phone", type="tel", max_length=20, size="3", width="100%"
                    ),
                    field_error(S.errors["phone"]),
                    spacing="1",
                    width="100%",
                ),
                rx.button(t("riders.add"), type="submit", size="3", id="rider-add"),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap="8px",
                width="100%",
            ),
            on_submit=S.add_rider,
            reset_on_submit=True,
        ),
    )


def _select(name: str, value, options: list[tuple[str, str]]) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(t(label), value=v) for v, label in options],
        name=name,
        default_value=value,
        key=value,
        class_name="qh-select",
        style={"min_height": "40px", "width": "100%"},
    )


def _rule() -> rx.Component:
    r = S.rule
    return _section(
        "auto.title",
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.el.input(type="checkbox", name="enabled", default_checked=r["enabled"] == "1", key=r["enabled"]),
                    rx.text(t("carriers.enabled")),
                    align="center",
                ),
                _select("trigger", r["trigger"], [("accept", "auto.trigger.accept"), ("ready", "auto.trigger.ready")]),
                _select(
                    "strategy",
                    r["strategy"],
                    [
                        ("cheapest", "auto.strategy.cheapest"),
                        ("fastest", "auto.strategy.fastest"),
                        ("preferred", "auto.strategy.preferred"),
                    ],
                ),
                rx.input(
                    name="preferred",
                    default_value=r["preferred"],
                    placeholder=S.carrier_codes,
                    size="3",
                    width="100%",
                ),
                field_error(S.errors["preferred"]),
                rx.text(t("auto.max_fee"), size="2"),
                rx.input(name="max_fee", default_value=r["max_fee"], input_mode="decimal", size="3", width="100%"),
                field_error(S.errors["max_fee"]),
                rx.text(t("auto.minutes"), size="2"),
                rx.input(
                    name="accept_minutes",
                    default_value=r["accept_minutes"],
                    input_mode="numeric",
                    size="3",
                    width="100%",
                ),
                field_error(S.errors["accept_minutes"]),
                rx.button(t("common.save"), type="submit", id="rule-save"),
                spacing="2",
                width="100%",
            ),
            on_submit=S.save_rule,
            reset_on_submit=False,
        ),
    )


def delivery_page() -> rx.Component:
    return app_shell(
        rx.vstack(
            page_header("nav.delivery"),
            rx.el.select(
                rx.foreach(S.store_options, lambda o: rx.el.option(o[1], value=o[0])),
                value=S.store_id,
                on_change=S.set_store,
                style={"min_height": "44px", "width": "100%", "font_size": "16px"},
                id="delivery-store",
            ),
            _accounts(),
            _riders(),
            _rule(),
            account_dialog(),
            spacing="4",
            width="100%",
        ),
        active="/delivery",
        title_key="nav.delivery",
    )
