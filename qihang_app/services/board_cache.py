"""The cards of every store whose board is open in this process, kept current from the live
notes, so that a change costs one small query (the changed orders) instead of every open board
reloading its whole store, and fifty boards of one store cost one build, not fifty.

Synchronous and not thread-safe: the owner (services/board_feed.py) runs the loads in a thread but
applies their results and reads views on its event loop, one load at a time, in the order the
loads were read — so an older read never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlmodel import Session

from qihang_app.domain.board import TAB_ORDER, Tab

from .board import Board, Card, build_board, load_cards


class BoardCache:
    def __init__(self) -> None:
        self._stores: dict[int, dict[int, Card]] = {}  # store id -> order id -> card
        self._home: dict[int, int] = {}  # order id -> store id
        self.version = 0  # bumped by every change; views are memoised per version
        self._memo: dict[tuple, tuple[int, float, Board]] = {}

    # ---- reading the database (any thread) ---------------------------------------------------
    @staticmethod
    def read_stores(
        session: Session, store_ids: Iterable[int], now: datetime | None = None
    ) -> dict[int, dict[int, Card]]:
        ids = sorted(set(store_ids))
        out: dict[int, dict[int, Card]] = {sid: {} for sid in ids}
        for card in load_cards(session, store_ids=ids, now=now).values():
            out[card.store_id][card.id] = card
        return out

    @staticmethod
    def read_orders(
        session: Session, order_ids: Iterable[int], now: datetime | None = None
    ) -> tuple[list[int], dict[int, Card]]:
        ids = sorted(set(order_ids))
        return ids, load_cards(session, store_ids=None, order_ids=ids, now=now) if ids else {}

    # ---- applying reads (the owner's loop) ---------------------------------------------------
    def put_stores(self, stores: dict[int, dict[int, Card]]) -> set[int]:
        """Replace whole stores with a fresh read; returns the stores whose cards changed."""
        changed = set()
        for store_id, cards in stores.items():
            old = self._stores.get(store_id)
            if old is not None:
                for order_id in old:
                    self._home.pop(order_id, None)
            self._stores[store_id] = dict(cards)
            for order_id in cards:
                self._home[order_id] = store_id
            if old != cards:
                changed.add(store_id)
        if changed:
            self.version += 1
        return changed

    def put_orders(self, asked: list[int], cards: dict[int, Card]) -> set[int]:
        """Apply a read of `asked` orders: present ones are replaced, missing ones have left the
        board. Orders of stores not held here are ignored. Returns the stores that changed."""
        changed = set()
        for order_id in asked:
            card = cards.get(order_id)
            before = self._home.get(order_id)
            if before is not None and (card is None or card.store_id != before):
                self._stores[before].pop(order_id, None)
                del self._home[order_id]
                changed.add(before)
            if card is not None and card.store_id in self._stores:
                if self._stores[card.store_id].get(order_id) != card:
                    self._stores[card.store_id][order_id] = card
                    changed.add(card.store_id)
                self._home[order_id] = card.store_id
        if changed:
            self.version += 1
        return changed

    def drop(self, store_ids: Iterable[int]) -> None:
        for store_id in list(store_ids):
            for order_id in self._stores.pop(store_id, {}):
                self._home.pop(order_id, None)
        self.version += 1

    def holds(self, store_id: int) -> bool:
        return store_id in self._stores

    @property
    def store_ids(self) -> set[int]:
        return set(self._stores)

    def cards(self, store_ids: Iterable[int]) -> Iterator[Card]:
        for store_id in store_ids:
            yield from self._stores.get(store_id, {}).values()

    def __len__(self) -> int:
        return len(self._home)

    # ---- views -------------------------------------------------------------------------------
    def board(
        self,
        store_ids: Iterable[int],
        *,
        platform: str | None = None,
        query: str | None = None,
        per_tab: dict[Tab, int] | int = 60,
        now: datetime,
        reuse_seconds: float = 1.0,
    ) -> Board:
        """The board of these stores as of `now`. Boards asking for the same view at the same
        cache version within `reuse_seconds` share one build (time-driven moves such as a late
        order turning into 异常 are at most that stale)."""
        caps = per_tab if isinstance(per_tab, int) else tuple(per_tab.get(t, 60) for t in TAB_ORDER)
        key = (tuple(sorted(set(store_ids))), platform or "", query or "", caps)
        stamp = now.timestamp()
        hit = self._memo.get(key)
        if hit is not None and hit[0] == self.version and 0 <= stamp - hit[1] < reuse_seconds:
            return hit[2]
        board = build_board(self.cards(key[0]), platform=platform, query=query, per_tab=per_tab, now=now)
        if len(self._memo) > 256:  # many distinct filters: start over rather than grow
            self._memo.clear()
        self._memo[key] = (self.version, stamp, board)
        return board
