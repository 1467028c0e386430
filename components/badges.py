"""Platform and status badges. Platform colours appear only here (ui-guide)."""

import reflex as rx

from components.i18n import platform_label
from qihang_app.domain.order_flow import STATUS_LABEL_EN, STATUS_LABEL_ZH
from state.lang import LangState

# background, text colour
PLATFORM_COLORS: dict[str, tuple[str, str]] = {
    "meituan": ("#FFD100", "#1a1a1a"),
    "douyin_laike": ("#111111", "#ffffff"),
    "doudian": ("#111111", "#ffffff"),
    "eleme": ("#0097FF", "#ffffff"),
    "jd": ("#E1251B", "#ffffff"),
    "taobao": ("#FF5000", "#ffffff"),
    "pdd": ("#E02E24", "#ffffff"),
    "wechat": ("#07C160", "#ffffff"),
    "kuaishou": ("#FF4906", "#ffffff"),
    "offline": ("#6b7280", "#ffffff"),
}

# A brand edge drawn around some badges (Douyin's cyan/red), by platform code.
DOUYIN_EDGE = "-2px 0 0 #25F4EE, 2px 0 0 #FE2C55"
PLATFORM_EDGES: dict[str, str] = {"douyin_laike": DOUYIN_EDGE, "doudian": DOUYIN_EDGE}


def platform_badge(platform) -> rx.Component:
    bg = rx.match(platform, *[(k, v[0]) for k, v in PLATFORM_COLORS.items()], "#6b7280")
    fg = rx.match(platform, *[(k, v[1]) for k, v in PLATFORM_COLORS.items()], "#ffffff")
    shadow = rx.match(platform, *list(PLATFORM_EDGES.items()), "none")
    return rx.el.span(
        platform_label(platform),
        style={
            "background": bg,
            "color": fg,
            "box_shadow": shadow,
            "border_radius": "6px",
            "padding": "2px 8px",
            "font_size": "12px",
            "font_weight": "600",
            "white_space": "nowrap",
            "line_height": "20px",
            "display": "inline-block",
        },
    )


STATUS_COLOR = {
    "pending_payment": "gray",
    "awaiting_accept": "indigo",
    "to_ship": "blue",
    "shipped": "cyan",
    "completed": "gray",
    "cancelled": "red",
    "closed": "red",
    "invalid": "gray",
}


def status_badge(status) -> rx.Component:
    label = rx.match(
        status,
        *[(s, rx.cond(LangState.lang == "en", STATUS_LABEL_EN[s], STATUS_LABEL_ZH[s])) for s in STATUS_COLOR],
        status,
    )
    color = rx.match(status, *list(STATUS_COLOR.items()), "gray")
    return rx.badge(label, color_scheme=color, variant="soft", size="2", white_space="nowrap")
