"""系统状态: is everything behind the board running?"""

import reflex as rx

from components.i18n import t
from components.layout import app_shell, page_header
from state.lang import LangState
from state.system import SystemState


def _status_card(icon: str, title_key: str, ok, detail: rx.Component, card_id: str, badge=None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=20, color=rx.cond(ok, rx.color("green", 9), rx.color("red", 9))),
                rx.text(t(title_key), weight="bold"),
                rx.spacer(),
                rx.badge(
                    badge if badge is not None else rx.cond(ok, t("system.ok"), t("system.down")),
                    color_scheme=rx.cond(ok, "green", "red"),
                    size="2",
                    id=f"{card_id}-badge",
                ),
                align="center",
                width="100%",
            ),
            detail,
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=card_id,
    )


def _worker_card(age_text) -> rx.Component:
    """后台任务: running or not, the last heartbeat in seconds, what it does; the process id is
    for whoever restarts it (small, at the bottom)."""
    badge = rx.cond(
        SystemState.worker_alive,
        t("system.jobs_running"),
        rx.cond(SystemState.worker_age < 0, t("system.jobs_never"), t("system.jobs_stopped")),
    )
    return _status_card(
        "cpu",
        "system.jobs",
        SystemState.worker_alive,
        rx.vstack(
            rx.hstack(
                rx.text(t("system.last_seen"), size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(age_text, size="3", weight="medium", id="worker-age"),
                align="baseline",
                width="100%",
            ),
            rx.cond(
                SystemState.worker_alive,
                rx.text(t("system.jobs_hint"), size="1", color_scheme="gray"),
                rx.text(t("system.jobs_down_hint"), size="2", color=rx.color("red", 11), id="worker-down-hint"),
            ),
            rx.separator(size="4"),
            rx.hstack(
                rx.text(t("system.process_id"), size="1", color_scheme="gray"),
                rx.text(
                    SystemState.worker_ids,
                    size="1",
                    color_scheme="gray",
                    font_family="monospace",
                    id="worker-id",
                    word_break="break-all",
                ),
                rx.spacer(),
                rx.text(SystemState.worker_last_seen, size="1", color_scheme="gray", id="worker-last-seen"),
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            width="100%",
        ),
        "card-worker",
        badge=badge,
    )


def system_page() -> rx.Component:
    age_text = rx.cond(
        SystemState.worker_age < 0,
        t("system.never"),
        rx.cond(
            LangState.lang == "en",
            SystemState.worker_age.to_string() + " s ago",
            SystemState.worker_age.to_string() + " 秒前",
        ),
    )
    return app_shell(
        rx.vstack(
            page_header(
                "system.title",
                rx.button(
                    rx.icon("refresh-cw", size=16),
                    t("system.refresh"),
                    variant="soft",
                    on_click=SystemState.load,
                    id="system-refresh",
                ),
            ),
            rx.grid(
                _status_card(
                    "database",
                    "system.database",
                    SystemState.db_ok,
                    rx.text(SystemState.db_error, size="1", color_scheme="red"),
                    "card-db",
                ),
                _status_card(
                    "layers",
                    "system.redis",
                    SystemState.redis_ok,
                    rx.vstack(
                        rx.hstack(
                            rx.text(t("system.queue_depth"), size="2", color_scheme="gray"),
                            rx.spacer(),
                            rx.text(SystemState.queue_depth, size="5", weight="bold", id="queue-depth"),
                            align="baseline",
                            width="100%",
                        ),
                        rx.text(SystemState.redis_error, size="1", color_scheme="red"),
                        width="100%",
                    ),
                    "card-redis",
                ),
                _worker_card(age_text),
                columns=rx.breakpoints(initial="1", md="3"),
                gap="16px",
                width="100%",
            ),
            rx.text(
                t("system.version"),
                " ",
                SystemState.version,
                " · ",
                SystemState.checked_at,
                size="1",
                color_scheme="gray",
                margin_top="16px",
            ),
            width="100%",
        ),
        active="/system",
        title_key="nav.system",
    )
