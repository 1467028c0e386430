"""TOP signing: md5 against TOP's published example (open.taobao.com 签名算法, secret
"helloworld"); hmac / hmac-sha256 against RFC 2202 / RFC 4231 vectors fed through the key+value
join (the fact sheet gives no TOP example for them), plus a worked example derived by hand."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from integrations import sign as sign_cli
from integrations.taobao.sign import base_string, top_sign, verify

TOP_EXAMPLE = {
    "method": "taobao.item.seller.get",
    "app_key": "12345678",
    "session": "test",
    "timestamp": "2016-01-01 12:00:00",
    "format": "json",
    "v": "2.0",
    "sign_method": "md5",
    "fields": "num_iid,title,nick,price,num",
    "num_iid": "11223344",
}
TOP_SIGN = "66987CB115214E59E6EC978214934FB8"


def test_md5_matches_tops_published_example():
    signature, base = top_sign("helloworld", TOP_EXAMPLE)
    assert signature == TOP_SIGN
    assert base == (
        "helloworldapp_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get"
        "num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0helloworld"
    )


def test_sign_and_empty_values_are_left_out():
    params = {**TOP_EXAMPLE, "sign": "X", "simplify": "", "target_app_key": None}
    assert top_sign("helloworld", params)[0] == TOP_SIGN
    assert verify("helloworld", {**TOP_EXAMPLE, "sign": TOP_SIGN.lower()})
    assert not verify("other", {**TOP_EXAMPLE, "sign": TOP_SIGN})


def test_hmac_md5_is_rfc2202_case_1_over_the_joined_string():
    # "Hi" + " There" joins to "Hi There"; key 0x0b * 16 (RFC 2202 HMAC-MD5 test case 1)
    assert top_sign("\x0b" * 16, {"Hi": " There"}, method="hmac") == (
        "9294727A3638BB1C13F48EF8158BFC9D",
        "Hi There",
    )


def test_hmac_sha256_is_rfc4231_case_1_over_the_joined_string():
    signature, _ = top_sign("\x0b" * 20, {"Hi": " There"}, method="hmac-sha256")
    assert signature == "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7"


def test_hmac_sha256_worked_example_by_hand():
    # Derived by hand from the rule: sorted k+v, no wrapping, HMAC-SHA256 keyed by the secret, upper hex.
    params = {"v": "2.0", "app_key": "k1", "tid": "3000000000000000001", "sign_method": "hmac-sha256"}
    signature, base = top_sign("s3cret", params)
    assert base == "app_keyk1sign_methodhmac-sha256tid3000000000000000001v2.0"
    assert signature == hmac.new(b"s3cret", base.encode(), hashlib.sha256).hexdigest().upper()
    assert len(signature) == 64 and signature.isupper()


def test_the_method_is_part_of_the_signed_parameters():
    md5 = top_sign("s", {"a": "1", "sign_method": "md5"})[0]
    mac = top_sign("s", {"a": "1", "sign_method": "hmac"})[0]
    assert md5 != mac and len(md5) == len(mac) == 32
    with pytest.raises(ValueError):
        top_sign("s", {"a": "1", "sign_method": "sha1"})


def test_a_body_is_appended_before_hashing():
    assert base_string({"a": "1"}, b'{"x":1}') == 'a1{"x":1}'


@pytest.mark.parametrize("method", ["md5", "hmac", "hmac-sha256"])
def test_cli_prints_the_signature_last(method, capsys):
    params = {k: v for k, v in TOP_EXAMPLE.items() if k != "sign_method"}
    args = ["taobao", "--secret", "helloworld", "--params", json.dumps(params), "--sign-method", method, "--show-base"]
    assert sign_cli.main(args) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == top_sign("helloworld", {**params, "sign_method": method})[0]
    if method == "md5":
        assert lines[-1] == TOP_SIGN


def test_cli_numbers_are_their_plain_text(capsys):
    params = {**TOP_EXAMPLE, "num_iid": 11223344, "app_key": 12345678}
    sign_cli.main(["taobao", "--secret", "helloworld", "--params", json.dumps(params)])
    assert capsys.readouterr().out.strip() == TOP_SIGN


def test_cli_needs_params():
    with pytest.raises(SystemExit):
        sign_cli.main(["taobao", "--secret", "S"])
