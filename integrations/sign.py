"""Print the signature an adapter would send (or expect on a push) — for debugging by hand.

    python -m integrations.sign taobao --secret S --params JSON [--sign-method md5|hmac|hmac-sha256]
    python -m integrations.sign jd --secret S --params JSON      (pdd likewise)
    python -m integrations.sign meituan --secret S --url URL --params '{"app_id":"1234",...}'
    python -m integrations.sign douyin_laike --secret S --body push.json     (or --params JSON)
    python -m integrations.sign sf_same_city --secret DEVKEY --params '{"dev_id":1,"push_time":1700000000,"version":17}'
    python -m integrations.sign dada --secret S --params '{"app_key":"k","body":"{}",...}'
    python -m integrations.sign jushuitan --secret S --params '{"app_key":"…","biz":"{}",...}'
    python -m integrations.sign wdt --secret S --params '{"sid":"…","appkey":"…","timestamp":…}'
    python -m integrations.sign kingdee --secret APPSECRET --params '{"app_id":"…","acct_id":"…",
        "username":"…","timestamp":…,"path":"/k3cloud/…Save.common.kdsvc"}'   (X-Api-Signature)

Each platform signs in its own way (its adapter's `sign`): Meituan signs URL + sorted params +
secret; Douyin signs secret + the raw body bytes, so pass the body file exactly as received
(--params is serialised compactly, which only matches such bodies).

Carriers (达达, 顺丰同城, 闪送, 美团跑腿) sign with their kind's `sign`: the envelope or form fields
given as --params (闪送's `data` object goes as compact JSON), or for 顺丰同城 the raw body.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from integrations import registry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.sign", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    carriers = [k.code for k in registry.carriers()]
    erps = {kind.code: kind for kind in registry.erps()}
    parser.add_argument("platform", choices=[a.profile.code for a in registry.platforms()] + carriers + list(erps))
    parser.add_argument("--secret", required=True)
    parser.add_argument("--params", help="JSON object of parameters (or the body)")
    parser.add_argument("--url", help="full API or callback URL, for platforms that sign it")
    parser.add_argument("--body", help="file with the raw body, '-' for stdin")
    parser.add_argument(
        "--sign-method", help="platforms that sign the method as a parameter (Taobao: md5, hmac, hmac-sha256)"
    )
    parser.add_argument(
        "--show-base", action="store_true", help="also print the string that is hashed (contains the secret)"
    )
    args = parser.parse_args(argv)

    params = None
    if args.params is not None:
        params = {k: _text(v) for k, v in json.loads(args.params).items()}
    if args.sign_method:  # TOP signs `sign_method` like any other parameter
        params = {**(params or {}), "sign_method": args.sign_method}
    if args.platform in erps:  # the ERPs sign their request's parameters
        if params is None:
            parser.error("--params is required for an ERP")
        print(erps[args.platform].sign(args.secret, params))
        return 0
    if args.body == "-":
        body = sys.stdin.buffer.read()
    elif args.body:
        body = Path(args.body).read_bytes()
    elif args.params is not None:
        body = json.dumps(json.loads(args.params), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        body = None
    try:
        if args.platform in carriers:
            signature, base = registry.carrier(args.platform).sign(args.secret, params or {}, body)
        else:
            signature, base = registry.platform(args.platform).sign(args.secret, params=params, body=body, url=args.url)
    except ValueError as exc:
        parser.error(str(exc))
    if args.show_base:
        print(base)
    print(signature)
    return 0


def _text(value: object) -> str:
    # Numbers in the JSON mean their plain text on the wire; nested objects go as compact JSON.
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


if __name__ == "__main__":
    raise SystemExit(main())
