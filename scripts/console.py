"""What the launcher prints: short lines a person needs, warnings, and a box for the one thing
that must not be missed (the first admin password)."""

from __future__ import annotations

import sys
import threading
import time
import unicodedata

_lock = threading.Lock()  # log pumps print from their threads


def say(msg: str) -> None:
    _print(f"{_colour('1;32', '[qihang]')} {time.strftime('%H:%M:%S')} {msg}")


def warn(msg: str) -> None:
    _print(f"{_colour('1;33', '[qihang]')} {time.strftime('%H:%M:%S')} warning: {msg}")


def _colour(code: str, text: str) -> str:
    return f"\033[{code}m{text}\033[0m" if sys.stdout.isatty() else text


def box(lines: list[str]) -> None:
    """Lines in a frame, padded by display width (a Chinese character takes two columns)."""
    width = max(_width(line) for line in lines)
    rule = "═" * (width + 2)
    body = [f"║ {line}{' ' * (width - _width(line))} ║" for line in lines]
    _print("\n".join(["", f"╔{rule}╗", *body, f"╚{rule}╝", ""]))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _print(text: str) -> None:
    with _lock:
        print(text, file=sys.stdout, flush=True)
