"""What every report is asked: a period, the actor's store scope, optional store / platform /
shop filters; and the WHERE clause that applies them to a rollup table."""

from __future__ import annotations

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qihang_app.domain.report_period import Period
from qihang_app.models import Shop, Store
from qihang_app.services.scope import Actor, require_store, store_filter


@dataclass(frozen=True)
class ReportQuery:
    actor: Actor
    period: Period
    store_id: int | None = None
    platform: str | None = None
    shop_id: int | None = None

    def previous(self) -> ReportQuery:
        return replace(self, period=self.period.previous())


def check(q: ReportQuery) -> None:
    """A store filter outside the actor's scope is refused, not silently emptied."""
    if q.store_id is not None:
        require_store(q.actor, q.store_id)


def where(q: ReportQuery, table: sa.Table, *, by_shop: bool = False) -> list[sa.ColumnElement[bool]]:
    """Period and scope; platform and shop only for tables keyed by them (report_daily)."""
    clauses = [table.c.day >= q.period.first, table.c.day <= q.period.last, store_filter(q.actor, table.c.store_id)]
    if q.store_id is not None:
        clauses.append(table.c.store_id == q.store_id)
    if by_shop and q.platform:
        clauses.append(table.c.platform == q.platform)
    if by_shop and q.shop_id is not None:
        clauses.append(table.c.shop_id == q.shop_id)
    return clauses


def store_names(session: Session) -> dict[int, str]:
    return dict(session.execute(sa.select(Store.id, Store.name)).all())


def shop_names(session: Session) -> dict[int, str]:
    return dict(session.execute(sa.select(Shop.id, Shop.name)).all())
