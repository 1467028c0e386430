"""Webhook routes over real HTTP on loopback: genuine pushes (sent by the sandbox's push sender)
are stored `received`, committed, acked with the platform's body and enqueued; forged ones are
stored `rejected` with the platform's error answer; malformed bodies get a 4xx and are kept."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

import httpx
import pytest
import redis as sync_redis
from arq.jobs import deserialize_job

from integrations.douyin_laike.spec import ACK_BODY, SIGNATURE_HEADER
from integrations.douyin_laike.webhook import douyin_signature
from integrations.meituan.sign import meituan_sig
from tests.ingest_support import deadline_loop

pytestmark = pytest.mark.timeout(60)


def _post(url: str, **kw) -> httpx.Response:
    return httpx.post(url, timeout=10, trust_env=False, **kw)


def _meituan_form(oms, pair, push_type="order_cancel", *, secret=None, **fields) -> bytes:
    url = f"{oms.api_url}/api/webhooks/meituan/{push_type}"
    params = {
        "order_id": "27000000000000001",
        "app_poi_code": pair.platform_shop_id,
        "reason": "用户取消",
        "reason_code": "1001",
        "deal_op_type": "1",
        **fields,
        "app_id": pair.sandbox["app_id"],
        "timestamp": str(int(time.time())),
    }
    params["sig"] = meituan_sig(url, params, secret or pair.sandbox["secret"])
    return urlencode(params).encode()


def _douyin_body(pair, *, event="life_trade_order_notify", content=None) -> bytes:
    content = content or {
        "action": "cancel",
        "msg_time": int(time.time()),
        "order": {"order_id": "1000000000000000001", "account_id": pair.platform_shop_id},
    }
    envelope = {
        "event": event,
        "client_key": pair.sandbox["app_id"],
        "from_user_id": pair.platform_shop_id,
        "content": json.dumps(content, separators=(",", ":")),
        "log_id": "log-1",
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def test_genuine_sandbox_pushes_are_stored_acked_and_enqueued(oms, redis_url):
    mt = oms.add_shop("meituan")
    dy = oms.add_shop("douyin_laike")
    placed = [oms.new_order(mt), oms.new_order(dy)]
    oms.sandbox.wait_pushes()
    log = oms.sandbox.control.get("/pushes", params={"limit": 100000}).json()
    mine = [p for p in log if p["order_id"] in {o["order_id"] for o in placed}]
    assert [p["outcome"] for p in mine] == ["delivered", "delivered"]  # acked on first try
    assert {p["attempts"] for p in mine} == {1}
    # the two pushes race each other, so their rows may come in either order
    rows = sorted(oms.inbox(), key=lambda r: r.source != "meituan")
    assert [(r.source, r.kind, r.status, r.shop_id) for r in rows] == [
        ("meituan", "order_paid", "received", mt.shop_id),
        ("douyin_laike", "life_trade_order_notify", "received", dy.shop_id),
    ]
    headers = json.loads(rows[0].headers)
    assert headers["verified"] is True and headers["url"].endswith("/api/webhooks/meituan/order_paid")
    assert rows[0].body.startswith(("order_id=", "wm_order_id_view=")) or "sig=" in rows[0].body
    assert json.loads(rows[1].body)["from_user_id"] == dy.platform_shop_id  # raw, as received
    # one ingest job per group commit, its id from the batch's first inbox id, its args the ids
    client = sync_redis.Redis.from_url(redis_url)
    try:
        enqueued: set[int] = set()
        for _ in deadline_loop(5):
            enqueued = set()
            for key in client.keys("arq:job:inbox:*"):
                job = deserialize_job(client.get(key))
                assert job.function == "ingest_inbox"
                assert key.decode() == f"arq:job:inbox:{min(job.args[0])}"
                enqueued.update(job.args[0])
            if len(enqueued) == 2:
                break
        assert enqueued == {r.id for r in rows}
    finally:
        client.close()


def test_meituan_forged_push_is_rejected_with_703_and_kept(oms):
    mt = oms.add_shop("meituan")
    url = f"{oms.api_url}/api/webhooks/meituan/order_cancel"
    body = _meituan_form(oms, mt, secret="not-the-secret")
    response = _post(url, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.json()["data"] == "ng" and response.json()["error"]["code"] == 703
    [row] = oms.inbox()
    assert (row.status, row.error, row.shop_id) == ("rejected", "sig mismatch", mt.shop_id)
    assert row.body == body.decode()


def test_meituan_unknown_shop_and_unknown_push_type_are_rejected(oms):
    mt = oms.add_shop("meituan")
    body = _meituan_form(oms, mt, app_poi_code="NO-SUCH-POI")
    answer = _post(
        f"{oms.api_url}/api/webhooks/meituan/order_cancel",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    ).json()
    assert answer["error"]["code"] == 702
    odd = _post(
        f"{oms.api_url}/api/webhooks/meituan/no_such_push",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert odd.status_code == 404
    rows = oms.inbox()
    assert [(r.status, r.shop_id) for r in rows] == [("rejected", None), ("rejected", None)]
    assert "unknown shop" in rows[0].error and "unknown push type" in rows[1].error


def test_meituan_probe_is_acked_without_storing(oms):
    assert _post(f"{oms.api_url}/api/webhooks/meituan/order_paid").json() == {"data": "ok"}
    assert httpx.get(f"{oms.api_url}/api/webhooks/meituan/order_paid", trust_env=False).json() == {"data": "ok"}
    assert oms.inbox() == []


def test_malformed_bodies_get_400_and_are_kept(oms):
    oms.add_shop("meituan")
    bad_form = _post(
        f"{oms.api_url}/api/webhooks/meituan/order_paid",
        content=b"a=1&&=&%zz",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    bad_json = _post(
        f"{oms.api_url}/api/webhooks/douyin_laike",
        content=b"{not json",
        headers={"content-type": "application/json", SIGNATURE_HEADER: "x"},
    )
    not_utf8 = _post(
        f"{oms.api_url}/api/webhooks/douyin_laike", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert (bad_form.status_code, bad_json.status_code, not_utf8.status_code) == (400, 400, 400)
    assert bad_json.json()["err_no"] == 400
    rows = oms.inbox()
    assert [r.status for r in rows] == ["failed", "failed", "failed"]
    assert rows[0].body == "a=1&&=&%zz" and rows[1].body == "{not json"
    assert "malformed" in rows[0].error and "malformed" in rows[1].error
    assert json.loads(rows[2].headers)["body_encoding"] == "base64"


def test_douyin_signature_checks(oms):
    dy = oms.add_shop("douyin_laike")
    url = f"{oms.api_url}/api/webhooks/douyin_laike"
    body = _douyin_body(dy)
    good = _post(url, content=body, headers={SIGNATURE_HEADER: douyin_signature(dy.sandbox["secret"], body)})
    forged = _post(url, content=body, headers={SIGNATURE_HEADER: douyin_signature("wrong", body)})
    missing = _post(url, content=body)
    assert (good.status_code, good.json()) == (200, ACK_BODY)
    assert forged.status_code == 403 and forged.json()["err_tips"] == "signature mismatch"
    assert missing.status_code == 403
    check = _douyin_body(dy, event="verify_webhook", content={"challenge": 12345})
    answer = _post(url, content=check, headers={SIGNATURE_HEADER: douyin_signature(dy.sandbox["secret"], check)})
    assert answer.json() == {"challenge": 12345}
    assert [(r.status, r.error) for r in oms.inbox()] == [
        ("received", None),
        ("rejected", "signature mismatch"),
        ("rejected", "missing signature"),
    ]


def test_a_disabled_shop_gets_no_pushes_in(oms):
    mt = oms.add_shop("meituan", enabled=False)
    body = _meituan_form(oms, mt)
    answer = _post(
        f"{oms.api_url}/api/webhooks/meituan/order_cancel",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    ).json()
    assert answer["error"]["code"] == 702
    assert [r.status for r in oms.inbox()] == ["rejected"]


async def test_concurrent_pushes_are_group_committed(oms):
    mt = oms.add_shop("meituan")
    url = f"{oms.api_url}/api/webhooks/meituan/order_cancel"
    bodies = [_meituan_form(oms, mt, order_id=str(27_000_000_000_000_000 + i)) for i in range(120)]
    async with httpx.AsyncClient(trust_env=False, timeout=20, limits=httpx.Limits(max_connections=60)) as client:
        answers = await asyncio.gather(
            *(
                client.post(url, content=b, headers={"content-type": "application/x-www-form-urlencoded"})
                for b in bodies
            )
        )
    assert all(a.json() == {"data": "ok"} for a in answers)
    rows = oms.inbox()
    assert len(rows) == 120 and {r.status for r in rows} == {"received"}


def test_acks_do_not_wait_for_redis(engine, sandbox):
    """Redis down: the payload is committed and acked anyway (the drain cron enqueues nothing,
    it reads the inbox)."""
    from sqlmodel import Session

    from integrations.sandbox.server import ServerThread
    from qihang_app.api.routes import build_api
    from qihang_app.services import stores
    from tests.ingest_support import Oms
    from tests.services.factories import make_actor

    app = build_api(engine=engine, redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    with ServerThread(app) as server:
        with Session(engine) as session:
            admin = make_actor(session, "root", "admin")
            store_id = stores.create_store(session, actor=admin, name="S").id
            session.commit()
        oms = Oms(engine=engine, api_url=server.url, sandbox=sandbox, admin=admin, store_id=store_id)
        mt = oms.add_shop("meituan")
        started = time.monotonic()
        for i in range(3):
            answer = _post(
                f"{server.url}/api/webhooks/meituan/order_cancel",
                content=_meituan_form(oms, mt, order_id=str(i + 1)),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            assert answer.json() == {"data": "ok"}
        assert time.monotonic() - started < 3
        assert [r.status for r in oms.inbox()] == ["received"] * 3
        app.state.webhooks.writer.close()
