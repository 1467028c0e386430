"""Print the signature an adapter would send (or expect on a push) — for debugging by hand.

    python -m integrations.sign meituan --secret S --url URL --params '{"app_id":"1234",...}'
    python -m integrations.sign douyin_laike --secret S --body push.json     (or --params JSON)

Meituan signs URL + sorted params + secret; Douyin signs secret + the raw body bytes, so pass the
body file exactly as received (--params is serialised compactly, which only matches such bodies).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from integrations.douyin_laike.webhook import douyin_signature
from integrations.meituan.sign import canonical_string, meituan_sig
from integrations.meituan.spec import BASE_URL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m integrations.sign", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("platform", choices=["meituan", "douyin_laike"])
    parser.add_argument("--secret", required=True)
    parser.add_argument("--params", help="JSON object of parameters (Meituan) or the body (Douyin)")
    parser.add_argument("--url", help="Meituan: full API or callback URL (query is ignored)")
    parser.add_argument("--body", help="Douyin: file with the raw body, '-' for stdin")
    parser.add_argument("--show-base", action="store_true",
                        help="Meituan: also print the string that is hashed (contains the secret)")
    args = parser.parse_args(argv)

    if args.platform == "meituan":
        if args.params is None:
            parser.error("meituan needs --params")
        params = {k: _text(v) for k, v in json.loads(args.params).items()}
        url = args.url or BASE_URL
        if args.show_base:
            print(canonical_string(url, params, args.secret))
        print(meituan_sig(url, params, args.secret))
        return 0

    if args.body == "-":
        body = sys.stdin.buffer.read()
    elif args.body:
        body = Path(args.body).read_bytes()
    elif args.params is not None:
        body = json.dumps(json.loads(args.params), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    else:
        parser.error("douyin_laike needs --body or --params")
    print(douyin_signature(args.secret, body))
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
