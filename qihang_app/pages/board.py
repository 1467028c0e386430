"""调度看板: the screen store staff live in."""

import reflex as rx

from components.board import alert_probe, board_body, layout_sync, reject_dialog, sound_banner, tab_bar, toolbar
from components.layout import app_shell


def board_page() -> rx.Component:
    return app_shell(
        rx.box(
            tab_bar(),
            toolbar(),
            sound_banner(),
            board_body(),
            layout_sync(),
            alert_probe(),
            reject_dialog(),
            width="100%",
        ),
        active="/board",
        title_key="board.title",
        wide=True,
    )
