"""How long a login must wait after failed attempts (pure: the services keep the counts).

Each account and each client address has its own count of failures. The first `free` failures
cost nothing; after that each further attempt waits 1, 2, 4 … s, up to `cap` seconds.
"""

from __future__ import annotations


def delay_seconds(failures: int, *, free: int, cap: int) -> int:
    """Seconds before the next attempt is allowed, after `failures` failures in a row."""
    if failures <= free:
        return 0
    return min(cap, 2 ** min(failures - free - 1, 30))


def max_guesses(seconds: int, *, free: int, cap: int) -> int:
    """The most passwords one account can be tried with in `seconds`, starting fresh, when
    every attempt comes at the first allowed moment (the worst case for the defender)."""
    guesses, now = 0, 0
    while now < seconds:
        guesses += 1
        now += delay_seconds(guesses, free=free, cap=cap)
    return guesses
