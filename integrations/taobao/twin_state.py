"""The Taobao twin's own memory beside the shared sandbox store: TMC queues, parcels per line,
memos, 菜鸟 waybill numbers, OAuth codes. Sessions are stateless (signed with the app secret), so a
pre-issued demo session works without the sandbox having seen it."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from integrations.taobao.spec import TIME_FORMAT
from qihang_app.domain.clock import SHANGHAI

MAX_PENDING = 20_000  # per app: a demo streaming with nobody consuming must not grow without end
ACCESS_TTL = 24 * 3600  # ASSUMED lifetimes of the twin's tokens
REFRESH_TTL = 30 * 24 * 3600


def wire_time(at: float) -> str:
    return datetime.fromtimestamp(at, SHANGHAI).strftime(TIME_FORMAT)


# ---- sessions ------------------------------------------------------------------------------------


def issue_token(kind: str, app_key: str, secret: str, nick: str, ttl: int) -> tuple[str, int]:
    """kind 's' = session (access token), 'r' = refresh token. (token, expires at epoch)."""
    expires = int(time.time()) + ttl
    body = f"{kind}.{nick.encode('utf-8').hex()}.{expires}.{secrets.token_hex(4)}"  # never the same twice
    mac = hmac.new(secret.encode(), f"{app_key}|{body}".encode(), hashlib.sha256).hexdigest()[:24]
    return f"62{body}.{mac}", expires


def read_token(token: str, app_key: str, secret: str, kind: str) -> tuple[str, int] | None:
    """(nick, expires) of a token this app issued, or None when it is not one."""
    if not token.startswith("62"):
        return None
    parts = token[2:].split(".")
    if len(parts) != 5 or parts[0] != kind:
        return None
    body = ".".join(parts[:4])
    mac = hmac.new(secret.encode(), f"{app_key}|{body}".encode(), hashlib.sha256).hexdigest()[:24]
    if not hmac.compare_digest(mac, parts[4]):
        return None
    try:
        return bytes.fromhex(parts[1]).decode("utf-8"), int(parts[2])
    except ValueError:
        return None


# ---- TMC -------------------------------------------------------------------------------------------


@dataclass
class TmcQueue:
    pending: dict[str, dict] = field(default_factory=dict)  # message id → message, until confirmed
    confirmed: int = 0


@dataclass
class TwinState:
    tmc: dict[str, TmcQueue] = field(default_factory=dict)  # per app key (TMC is per app)
    shipped: dict[str, dict[str, dict]] = field(default_factory=dict)  # tid → oid → parcel
    memos: dict[str, dict] = field(default_factory=dict)  # tid → {memo, flag}
    waybills: dict[tuple[str, str, str], dict] = field(default_factory=dict)  # (app, cp_code, object id)
    cancelled_waybills: set[str] = field(default_factory=set)
    codes: dict[str, dict] = field(default_factory=dict)  # OAuth code → {app_key, nick, redirect_uri, at}
    expired: set[str] = field(default_factory=set)  # sessions the sandbox expired early
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def publish(self, app_key: str, topic: str, nick: str, content: dict) -> dict:
        now = time.time()
        message = {
            "id": str(8_000_000_000_000_000 + next(self.ids) * 7 + secrets.randbelow(7)),
            "topic": topic,
            "content": json.dumps(content, ensure_ascii=False, separators=(",", ":")),
            "pub_time": wire_time(now),
            "pub_app_key": "12497914",  # TOP's own publisher key in real messages (ASSUMED)
            "user_nick": nick,
            "user_id": int(hashlib.md5(nick.encode()).hexdigest()[:10], 16),
            "outgoing_time": wire_time(now),
        }
        pending = self.tmc.setdefault(app_key, TmcQueue()).pending
        pending[message["id"]] = message
        while len(pending) > MAX_PENDING:  # the oldest go first (TOP keeps messages for days, not forever)
            pending.pop(next(iter(pending)))
        return message

    def confirm(self, app_key: str, ids: list[str]) -> int:
        queue = self.tmc.get(app_key)
        if queue is None:
            return 0
        gone = sum(1 for i in ids if queue.pending.pop(i, None) is not None)
        queue.confirmed += gone
        return gone

    def new_code(self, app_key: str, nick: str, redirect_uri: str) -> str:
        code = secrets.token_urlsafe(18)
        self.codes[code] = {"app_key": app_key, "nick": nick, "redirect_uri": redirect_uri, "at": time.time()}
        return code


STATE = TwinState()


def line_id(tid: str, index: int) -> str:
    """A sub-order id (oid) for line `index` of the trade: stable, unique, string."""
    return f"{tid}{index + 1:02d}"


def oaid(tid: str) -> str:
    return "OA" + hashlib.sha1(tid.encode()).hexdigest()[:30]
