"""Signing rules against the worked examples in platform-apis.md (§1.2 Meituan, §3 Douyin)."""

from __future__ import annotations

import hashlib
import json

import pytest

from integrations import sign as sign_cli
from integrations.douyin_laike.webhook import douyin_signature
from integrations.meituan.sign import canonical_string, meituan_sig

CONFIRM_URL = "https://waimaiopen.meituan.com/api/v1/order/confirm"
EXAMPLE = {"app_id": "1234", "order_id": "27061900338318741", "timestamp": "1700000000"}


def test_meituan_worked_example():
    assert meituan_sig(CONFIRM_URL, EXAMPLE, "SECRET") == "575cd3531984c0f72dee266a325316ae"


def test_meituan_base_string_is_url_sorted_params_and_secret():
    assert canonical_string(CONFIRM_URL, EXAMPLE, "SECRET") == (
        CONFIRM_URL + "?app_id=1234&order_id=27061900338318741&timestamp=1700000000SECRET"
    )


def test_meituan_ignores_query_sig_and_binary_fields():
    with_extras = {**EXAMPLE, "sig": "whatever", "img_data": b"\x89PNG"}
    assert meituan_sig(CONFIRM_URL + "?x=1", with_extras, "SECRET") == "575cd3531984c0f72dee266a325316ae"


def test_meituan_values_are_raw_not_url_encoded():
    params = {"app_id": "1", "reason": "用户 不想要了&", "timestamp": "2"}
    raw = f"{CONFIRM_URL}?app_id=1&reason=用户 不想要了&&timestamp=2S"
    assert meituan_sig(CONFIRM_URL, params, "S") == hashlib.md5(raw.encode()).hexdigest()


def test_douyin_webhook_signature_is_sha1_of_secret_then_body():
    body = b'{"event":"life_trade_order_notify"}'
    assert douyin_signature("S", body) == hashlib.sha1(b"S" + body).hexdigest()
    assert douyin_signature("S", b'{"a":1}') == "0817c24df414789d5690fa033ad81f202e0f09d3"


def test_cli_meituan_prints_the_worked_example(capsys):
    params = json.dumps({"app_id": 1234, "order_id": 27061900338318741, "timestamp": 1700000000})
    assert sign_cli.main(["meituan", "--secret", "SECRET", "--url", CONFIRM_URL, "--params", params]) == 0
    assert capsys.readouterr().out.strip() == "575cd3531984c0f72dee266a325316ae"


def test_cli_douyin_signs_the_raw_body_file(tmp_path, capsys):
    body = tmp_path / "push.json"
    body.write_bytes(b'{"a":1}')
    assert sign_cli.main(["douyin_laike", "--secret", "S", "--body", str(body)]) == 0
    assert capsys.readouterr().out.strip() == "0817c24df414789d5690fa033ad81f202e0f09d3"


def test_cli_douyin_params_are_compact_json(capsys):
    sign_cli.main(["douyin_laike", "--secret", "S", "--params", '{ "a" : 1 }'])
    assert capsys.readouterr().out.strip() == "0817c24df414789d5690fa033ad81f202e0f09d3"


def test_cli_needs_params_for_meituan():
    with pytest.raises(SystemExit):
        sign_cli.main(["meituan", "--secret", "S"])


def test_cli_sf_same_city_prints_the_worked_example(capsys):
    params = '{"dev_id":1,"push_time":1700000000,"version":17}'
    assert sign_cli.main(["sf_same_city", "--secret", "DEVKEY", "--params", params, "--show-base"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "NDU5MmRmOTc0YmZhNDFmM2UzN2Q5MTBkZGUxOGE3ZmY="  # the signature is printed last
    assert lines[0] == params + "&1&DEVKEY"


@pytest.mark.parametrize(
    ("carrier", "base"),
    [
        ("dada", "Sapp_keykbody{}formatjsonsource_id9timestamp1v1.0S"),
        ("shansong", 'SclientIdcdata{"a":1}shopId9timestamp1'),
        ("meituan_paotui", "Sappkeyktimestamp1version1.0"),
    ],
)
def test_cli_carriers_sign_their_fields(carrier, base, capsys):
    fields = {
        "dada": {"app_key": "k", "body": "{}", "format": "json", "source_id": 9, "timestamp": 1, "v": "1.0"},
        "shansong": {"clientId": "c", "data": {"a": 1}, "shopId": 9, "timestamp": 1},
        "meituan_paotui": {"appkey": "k", "timestamp": 1, "version": "1.0", "note": ""},
    }[carrier]
    assert sign_cli.main([carrier, "--secret", "S", "--params", json.dumps(fields), "--show-base"]) == 0
    shown, signature = capsys.readouterr().out.strip().splitlines()
    assert shown == base
    digest = hashlib.sha1 if carrier == "meituan_paotui" else hashlib.md5
    expected = digest(base.encode()).hexdigest()
    assert signature == (expected if carrier == "meituan_paotui" else expected.upper())
