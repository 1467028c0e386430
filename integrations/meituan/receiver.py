"""Meituan's push endpoint on the webhook contract: a form body per push type, `sig` over the
callback URL saved in Meituan's console, ack {"data":"ok"}, errors in Meituan's envelope."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from integrations.contract import Answer, Inspected, ParsedPush, ShopKeys, Verified, WebhookRequest
from integrations.form import parse_form
from integrations.meituan import mapping
from integrations.meituan.push import decode_push_fields, verify_push
from integrations.meituan.spec import ACK_OK, PUSH_PATH_TEMPLATE, ErrorCode, PushType, error_body

PUSH_TYPES = frozenset(p.value for p in PushType)
_ACK = json.dumps(ACK_OK).encode()  # rendered once: acks are the hot path


def _json(body: dict, status: int = 200) -> Answer:
    return Answer(status, json.dumps(body, ensure_ascii=False).encode())


class MeituanReceiver:
    path = PUSH_PATH_TEMPLATE.replace("{push_type}", "{push_type:str}")
    methods = ("POST", "GET")

    def inspect(self, request: WebhookRequest) -> Inspected:
        push_type = str(request.path_params.get("push_type", ""))
        if not request.body.strip():  # Meituan checks a callback URL with an empty request
            return Inspected(kind=push_type, immediate=_json(ACK_OK))
        try:
            if request.not_utf8:
                raise ValueError("body is not UTF-8")
            params = parse_form(request.text, strict=True)
        except ValueError as exc:
            return Inspected(kind=push_type, error=f"malformed form body: {exc}")
        inspected = Inspected(
            kind=push_type,
            shop_key=params.get("app_poi_code", ""),
            app_key=params.get("app_id", ""),
            dedup_key=f"meituan:{params.get('sig', '')}",
            headers={"shop_key": params.get("app_poi_code", "")},
            parsed=params,
        )
        if push_type not in PUSH_TYPES:
            inspected.refuse = f"unknown push type {push_type!r}"
        return inspected

    def verify(self, request: WebhookRequest, inspected: Inspected, shop: ShopKeys, signed_urls: list[str]) -> Verified:
        params = inspected.parsed if inspected.parsed is not None else parse_form(request.text)
        check, url = None, ""
        for url in signed_urls:  # the URL in Meituan's console, else the one we were reached at
            check = verify_push(url, params, shop.secret, expected_app_id=shop.app_key or None)
            if check.ok or check.reason != "sig mismatch":
                break
        if check is None:
            return Verified(False, "no callback URL to verify against")
        return Verified(check.ok, check.reason, {"url": url})

    def reverify(self, body: str, headers: Mapping[str, Any], shop: ShopKeys) -> str:
        params = parse_form(body)
        try:
            sent = float(params.get("timestamp", "0"))
        except ValueError:
            sent = 0.0
        check = verify_push(
            str(headers.get("url") or ""), params, shop.secret, expected_app_id=shop.app_key or None, now=sent
        )
        return "" if check.ok else check.reason

    def ack(self) -> Answer:
        return Answer(200, _ACK)

    def rejected(self, reason: str, *, unknown_shop: bool) -> Answer:
        # Meituan's own error envelope (HTTP 200, data "ng"): the platform retries, then gives up.
        code = ErrorCode.BAD_APP_ID if unknown_shop else ErrorCode.BAD_SIG
        if reason.startswith("unknown push type"):
            return _json(error_body(ErrorCode.SYSTEM, reason), 404)
        return _json(error_body(code, reason))

    def bad_request(self, reason: str) -> Answer:
        return _json(error_body(ErrorCode.MISSING_PARAM, "malformed form body"), 400)


def parse_push(kind: str, body: str) -> ParsedPush:
    params = parse_form(body)
    event = mapping.event_from_push(PushType(kind), decode_push_fields(params))
    return ParsedPush([event], f"push {kind}")
