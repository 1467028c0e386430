"""Incremental pulls: trades by modified time (≤ 1 day per query, pages read from the END) and
refunds by modified time; receivers decrypted where the merchant holds the permission."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from integrations.taobao import mapping
from integrations.taobao.client import TaobaoClient
from integrations.taobao.spec import (
    HISTORY_SECONDS,
    MAX_WINDOW_SECONDS,
    PAGE_SIZE,
    REFUND_PAGE_SIZE,
    TRADE_FIELDS,
    Method,
)

MAX_PAGES = 500
REFUND_FIELDS = (
    "refund_id,tid,oid,status,seller_nick,refund_fee,total_fee,payment,has_good_return,reason,desc,"
    "created,modified,timeout,refund_phase,refund_version,title,num,num_iid,sku,company_name,sid"
)


def slices(start: datetime, end: datetime, seconds: int = MAX_WINDOW_SECONDS) -> list[tuple[datetime, datetime]]:
    """[start, end] cut into windows of at most `seconds`; each window's end is the next's start
    (TOP includes both ends, so a row on the boundary second is read twice, never lost)."""
    # TOP refuses anything older than 3 months: a longer manual pull starts there.
    start = min(end, max(start, datetime.now(UTC) - timedelta(seconds=HISTORY_SECONDS)))
    out, cursor = [], start
    while cursor < end:
        stop = min(end, cursor + timedelta(seconds=seconds))
        out.append((cursor, stop))
        cursor = stop
    return out or [(start, end)]


async def trades_in_window(
    client: TaobaoClient, start: datetime, end: datetime
) -> AsyncIterator[tuple[list[dict], int]]:
    """(trades, requests) per page. Page 1 tells the total; the rest is read from the last page
    back, so a trade that leaves the window mid-pull shifts rows onto pages still to come."""
    base = {"start_modified": start, "end_modified": end, "fields": TRADE_FIELDS, "page_size": PAGE_SIZE}
    first = await client.call(Method.TRADES_INCREMENT, {**base, "page_no": 1, "use_has_next": False})
    total = int(first.get("total_results") or 0)
    rows = mapping.listed(first.get("trades"), "trade")
    last_page = min(MAX_PAGES, -(-total // PAGE_SIZE))
    if last_page <= 1:
        yield rows, 1
        return
    seen: set[str] = set()
    for page_no in range(last_page, 0, -1):
        data = await client.call(Method.TRADES_INCREMENT, {**base, "page_no": page_no, "use_has_next": True})
        page = [t for t in mapping.listed(data.get("trades"), "trade") if _tid(t) not in seen]
        seen.update(_tid(t) for t in page)
        yield page, 1 + (page_no == last_page)  # the count call is billed to the first page read


def _tid(trade: dict) -> str:
    return str(trade.get("tid_str") or trade.get("tid") or "")


async def decrypt_receivers(client: TaobaoClient, trades: list[dict]) -> int:
    """Replace masked receivers with the real ones (OAID decrypt); returns the requests made."""
    wanted = [t for t in trades if t.get("oaid")]
    if not client.decrypt or not wanted:
        return 0
    queries = [{"oaid": t["oaid"], "tid": _tid(t), "scene": "1001"} for t in wanted]
    data = await client.call(Method.OAID_DECRYPT, {"query_list": queries})
    by_tid = {str(r.get("tid")): r for r in mapping.listed(data.get("receiver_list"), "receiver")}
    for trade in wanted:
        real = by_tid.get(_tid(trade))
        if real:
            trade.update(
                receiver_name=real.get("name", ""),
                receiver_mobile=real.get("mobile", ""),
                receiver_state=real.get("state", ""),
                receiver_city=real.get("city", ""),
                receiver_district=real.get("district", ""),
                receiver_address=real.get("address_detail", ""),
                _decrypted=True,
            )
    return 1


async def refunds_in_window(
    client: TaobaoClient, start: datetime, end: datetime
) -> AsyncIterator[tuple[list[dict], int]]:
    """taobao.refunds.receive.get forward with use_has_next (refunds move less than trades)."""
    for page_no in range(1, MAX_PAGES + 1):
        data = await client.call(
            Method.REFUNDS_RECEIVE,
            {
                "fields": REFUND_FIELDS,
                "start_modified": start,
                "end_modified": end,
                "page_no": page_no,
                "page_size": REFUND_PAGE_SIZE,
                "use_has_next": True,
            },
        )
        yield mapping.listed(data.get("refunds"), "refund"), 1
        if not data.get("has_next"):
            return
