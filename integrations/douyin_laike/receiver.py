"""抖音来客's webhook on the contract: a JSON envelope signed with X-Douyin-Signature
(sha1(client_secret + raw body)); URL checks answered with their challenge."""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from typing import Any

from integrations.contract import Answer, Inspected, ParsedPush, ShopKeys, Verified, WebhookRequest
from integrations.douyin_laike import mapping
from integrations.douyin_laike.spec import ACK_BODY, SIGNATURE_HEADER, VERIFY_EVENT, WEBHOOK_PATH
from integrations.douyin_laike.webhook import douyin_signature, parse_webhook, verify_webhook

_ACK = json.dumps(ACK_BODY, ensure_ascii=False).encode()


def _error(status: int, reason: str) -> Answer:
    return Answer(status, json.dumps({"err_no": status, "err_tips": reason}, ensure_ascii=False).encode())


class DouyinReceiver:
    path = WEBHOOK_PATH
    methods = ("POST",)

    def inspect(self, request: WebhookRequest) -> Inspected:
        signature = request.headers.get(SIGNATURE_HEADER.lower(), "")
        try:
            if request.not_utf8:
                raise ValueError("body is not UTF-8")
            envelope = json.loads(request.text)
            if not isinstance(envelope, dict):
                raise ValueError("body is not a JSON object")
        except ValueError as exc:
            return Inspected(kind="", error=f"malformed JSON body: {exc}", headers={"signature": signature})
        event = str(envelope.get("event") or "")
        account_id = str(envelope.get("from_user_id") or "")
        client_key = str(envelope.get("client_key") or "")
        log_id = envelope.get("log_id") or request.headers.get("msg-id", "")
        return Inspected(
            kind=event,
            shop_key=account_id,
            app_key=client_key,
            dedup_key=f"douyin:{log_id}" if log_id else "",
            headers={"shop_key": account_id, "signature": signature, "client_key": client_key},
            app_only_lookup=event == VERIFY_EVENT,
        )  # URL checks may name no account

    def verify(self, request: WebhookRequest, inspected: Inspected, shop: ShopKeys, signed_urls: list[str]) -> Verified:
        check = verify_webhook(shop.secret, request.body, inspected.headers.get("signature"))
        if not check.ok:
            return Verified(False, check.reason)
        if check.message is not None and check.message.is_url_check:
            answer = json.dumps(check.message.challenge_answer()).encode()
            return Verified(True, immediate=Answer(200, answer))
        return Verified(True)

    def reverify(self, body: str, headers: Mapping[str, Any], shop: ShopKeys) -> str:
        signature = str(headers.get("signature") or "").strip().lower()
        if not signature:
            return "missing signature"
        expected = douyin_signature(shop.secret, body.encode("utf-8"))
        return "" if hmac.compare_digest(signature, expected) else "signature mismatch"

    def ack(self) -> Answer:
        return Answer(200, _ACK)

    def rejected(self, reason: str, *, unknown_shop: bool) -> Answer:
        return _error(404 if unknown_shop else 403, reason)

    def bad_request(self, reason: str) -> Answer:
        return _error(400, "malformed JSON body")


def parse_push(kind: str, body: str) -> ParsedPush:
    message = parse_webhook(body.encode("utf-8"))
    event = mapping.event_from_webhook(message)
    source = f"push {message.event} {message.content.get('action', '')}".strip()
    return ParsedPush([event] if event is not None else [], source)
