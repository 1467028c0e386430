"""Text in the user's language, switched in the browser without a round trip."""

import reflex as rx

from qihang_app.i18n import MESSAGES, PLATFORM_LABEL
from state.lang import LangState


def t(key: str) -> rx.Var:
    zh, en = MESSAGES[key]
    return rx.cond(LangState.lang == "en", en, zh)


def platform_label(platform) -> rx.Var:
    """Label for a platform code held in a Var."""
    return rx.match(
        platform,
        *[(code, rx.cond(LangState.lang == "en", en, zh)) for code, (zh, en) in PLATFORM_LABEL.items()],
        platform,
    )
