"""Checking Douyin webhooks: X-Douyin-Signature = sha1(client_secret + raw body), hex.

Verify over the raw bytes exactly as received: re-serialising the JSON would change the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

from integrations.douyin_laike.spec import VERIFY_EVENT

DEFAULT_REPLAY_WINDOW = 300  # seconds; applied to content.msg_time when the message has one


def douyin_signature(client_secret: str, body: bytes) -> str:
    return hashlib.sha1(client_secret.encode("utf-8") + body).hexdigest()


@dataclass(frozen=True, slots=True)
class WebhookMessage:
    event: str
    client_key: str
    account_id: str
    content: dict[str, Any] = field(default_factory=dict)
    log_id: str = ""

    @property
    def is_url_check(self) -> bool:
        return self.event == VERIFY_EVENT

    def challenge_answer(self) -> dict:
        return {"challenge": self.content.get("challenge")}


@dataclass(frozen=True, slots=True)
class WebhookCheck:
    ok: bool
    reason: str = ""
    message: WebhookMessage | None = None


def parse_webhook(body: bytes) -> WebhookMessage:
    envelope = json.loads(body)
    content = envelope.get("content") or {}
    if isinstance(content, str):  # content is a JSON document inside a string
        content = json.loads(content) if content else {}
    return WebhookMessage(
        event=str(envelope.get("event", "")),
        client_key=str(envelope.get("client_key", "")),
        account_id=str(envelope.get("from_user_id", "")),
        content=content,
        log_id=str(envelope.get("log_id", "")),
    )


def verify_webhook(
    client_secret: str,
    body: bytes,
    signature: str | None,
    *,
    now: float | None = None,
    replay_window: int = DEFAULT_REPLAY_WINDOW,
) -> WebhookCheck:
    if not signature:
        return WebhookCheck(False, "missing signature")
    expected = douyin_signature(client_secret, body)
    if not hmac.compare_digest(signature.strip().lower().encode(), expected.encode()):
        return WebhookCheck(False, "signature mismatch")
    try:
        message = parse_webhook(body)
    except (ValueError, AttributeError):
        return WebhookCheck(False, "body is not a webhook envelope")
    sent_at = message.content.get("msg_time")
    if sent_at not in (None, "", 0):
        seconds = float(sent_at)
        seconds = seconds / 1000 if seconds > 1e11 else seconds
        current = time.time() if now is None else now
        if abs(current - seconds) > replay_window:
            return WebhookCheck(False, "msg_time outside the replay window", message)
    return WebhookCheck(True, "", message)
