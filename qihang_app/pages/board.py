"""调度看板: the screen store staff live in."""

import reflex as rx

from components.board import board_body, layout_sync, tab_bar
from components.board_toolbar import alert_probe, reject_dialog, sound_banner, toolbar
from components.i18n import t
from components.layout import app_shell
from components.missing_refund import missing_refund_dialog
from components.rider_call import rider_call_dialog
from state.auth import AuthState


def no_store_notice() -> rx.Component:
    """A user without stores would wait forever for orders: say what to ask the admin for."""
    return rx.cond(
        AuthState.without_stores,
        rx.callout(
            t("board.no_stores"),
            icon="store",
            color_scheme="amber",
            size="2",
            width="100%",
            margin_y="8px",
            id="board-no-stores",
        ),
    )


def board_page() -> rx.Component:
    return app_shell(
        rx.box(
            tab_bar(),
            no_store_notice(),
            toolbar(),
            sound_banner(),
            board_body(),
            layout_sync(),
            alert_probe(),
            reject_dialog(),
            missing_refund_dialog(),
            rider_call_dialog(),
            width="100%",
        ),
        active="/board",
        title_key="board.title",
        wide=True,
    )
