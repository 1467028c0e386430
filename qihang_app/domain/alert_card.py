"""What an alert says, independent of the robot that carries it (each robot renders it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertCard:
    title: str  # one line: "新订单 10 分钟未接单"
    text: str  # markdown lines (bold, lists, links); no headings: the robot adds its own
    link: str = ""  # absolute URL back to the order or page ("" when there is none)
    link_text: str = ""
    resolved: bool = False  # a "problem cleared" message (green rather than red)

    def markdown(self, *, heading: str = "###") -> str:
        """The common markdown body: heading, text, link line."""
        parts = [f"{heading} {self.title}", self.text]
        if self.link:
            parts.append(f"[{self.link_text or self.link}]({self.link})")
        return "\n\n".join(part for part in parts if part)
