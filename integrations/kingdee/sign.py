"""金蝶云星空 WebAPI signed headers (§3.2, 第三方系统登录授权): two HMAC-SHA256 signatures, each
written as lowercase hex and then base64.

- the gateway key `client_sec`: the base64 half of the AppID after "_", XOR-ed byte by byte with
  the ASCII of a fixed key, base64 again;
- X-Api-Signature = b64(hex(hmac(client_sec, "POST\\n" + encoded path + "\\n\\nx-api-nonce:" + nonce
  + "\\nx-api-timestamp:" + ts + "\\n")));  the path is percent-encoded with "/" as %2F;
- X-Kd-Signature = b64(hex(hmac(AppSecret, AppID + "AcctID,UserName,LCID,OrgNum"))).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote

GATEWAY_KEY = b"0054f397c6234378b09ca7d3e5debce7"  # ROT13 of the SDKs' "0054s397p6234378o09pn7q3r5qropr7"


def _b64_hex_hmac(key: bytes, message: str) -> str:
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode("ascii")).decode("ascii")


def client_secret(app_id: str) -> str:
    raw = base64.b64decode(app_id.split("_", 1)[1])
    return base64.b64encode(bytes(b ^ GATEWAY_KEY[i % len(GATEWAY_KEY)] for i, b in enumerate(raw))).decode("ascii")


def encoded_path(path: str) -> str:
    return quote(path, safe="")  # "/" too, as %2F


def api_signature(app_id: str, path: str, timestamp: str, nonce: str) -> str:
    message = f"POST\n{encoded_path(path)}\n\nx-api-nonce:{nonce}\nx-api-timestamp:{timestamp}\n"
    return _b64_hex_hmac(client_secret(app_id).encode("ascii"), message)


def app_data(acct_id: str, username: str, lcid: str, org_num: str) -> str:
    return ",".join((acct_id, username, str(lcid), str(org_num)))


def kd_signature(app_secret: str, app_id: str, data: str) -> str:
    return _b64_hex_hmac(app_secret.encode("utf-8"), app_id + data)


def signed_headers(
    *, app_id: str, app_secret: str, acct_id: str, username: str, lcid: str, org_num: str, path: str, timestamp: str
) -> dict[str, str]:
    data = app_data(acct_id, username, lcid, org_num)
    return {
        "X-Api-ClientID": app_id.split("_", 1)[0],
        "X-Api-Auth-Version": "2.0",
        "x-api-timestamp": timestamp,
        "x-api-nonce": timestamp,  # as the official SDKs do
        "x-api-signheaders": "x-api-timestamp,x-api-nonce",
        "X-Api-Signature": api_signature(app_id, path, timestamp, timestamp),
        "X-Kd-Appkey": app_id,
        "X-Kd-Appdata": base64.b64encode(data.encode("utf-8")).decode("ascii"),
        "X-Kd-Signature": kd_signature(app_secret, app_id, data),
    }
