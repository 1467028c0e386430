"""UI language (zh default, en switch), kept in the browser so it survives reloads."""

import reflex as rx

from state.marks import view_only


class LangState(rx.State):
    lang: str = rx.LocalStorage("zh", name="qh_lang", sync=True)

    @rx.event
    @view_only
    def toggle(self):
        self.lang = "en" if self.lang == "zh" else "zh"
