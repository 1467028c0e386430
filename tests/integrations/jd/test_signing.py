"""JD's MD5 signature (platform-apis.md §5). The fact sheet gives the rule but no published example,
so the worked example below was derived by hand from the rule: secret + sorted name+value pairs
(`360buy_param_json` first, empty values, `sign` and `format` left out) + secret, MD5, upper hex."""

from __future__ import annotations

import hashlib
import json

from integrations import sign as sign_cli
from integrations.jd.sign import base_string, jd_sign, verify

PARAMS = {
    "method": "jingdong.pop.order.enGet",
    "app_key": "APPKEY",
    "access_token": "TOKEN",
    "timestamp": "2026-11-27 12:00:00",
    "v": "2.0",
    "360buy_param_json": '{"order_id":"300000000001"}',
}
BASE = (
    'SECRET360buy_param_json{"order_id":"300000000001"}access_tokenTOKENapp_keyAPPKEY'
    "methodjingdong.pop.order.enGettimestamp2026-11-27 12:00:00v2.0SECRET"
)
SIGNATURE = "257D07808B640A273FE4487D740D45EF"


def test_worked_example():
    assert base_string("SECRET", PARAMS) == BASE
    assert jd_sign("SECRET", PARAMS) == SIGNATURE == hashlib.md5(BASE.encode()).hexdigest().upper()


def test_format_sign_and_empty_values_are_not_signed():
    noisy = {**PARAMS, "format": "json", "sign": "X", "sign_method": "md5", "empty": ""}
    assert jd_sign("SECRET", noisy) == SIGNATURE
    assert verify("SECRET", {**PARAMS, "sign": SIGNATURE.lower()})
    assert not verify("SECRET", {**PARAMS, "sign": "0" * 32}) and not verify("SECRET", PARAMS)


def test_chinese_values_are_signed_as_utf8_text():
    params = {"method": "m", "360buy_param_json": json.dumps({"remark": "加急"}, ensure_ascii=False)}
    expected = hashlib.md5('S360buy_param_json{"remark": "加急"}methodmS'.encode()).hexdigest().upper()
    assert jd_sign("S", params) == expected


def test_cli_prints_the_signature_last(capsys):
    assert sign_cli.main(["jd", "--secret", "SECRET", "--params", json.dumps(PARAMS), "--show-base"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == BASE and lines[-1] == SIGNATURE


def test_cli_needs_params(capsys):
    import pytest

    with pytest.raises(SystemExit):
        sign_cli.main(["jd", "--secret", "S"])


def test_the_client_signs_what_the_cli_signs(capsys):
    from datetime import datetime

    from integrations.jd.client import JdClient
    from qihang_app.domain.clock import SHANGHAI

    moment = datetime(2026, 11, 27, 12, 0, 0, tzinfo=SHANGHAI).timestamp()
    client = JdClient("APPKEY", "SECRET", "TOKEN", clock=lambda: moment)
    params = client.signed("jingdong.pop.order.enGet", {"order_id": "300000000001"})
    assert params["timestamp"] == "2026-11-27 12:00:00" and params["v"] == "2.0"
    assert params["sign"] == SIGNATURE  # the worked example, as the client sends it
    cli_params = {k: v for k, v in params.items() if k != "sign"}
    cli_params["360buy_param_json"] = {"order_id": "300000000001"}  # nested JSON goes compact
    assert sign_cli.main(["jd", "--secret", "SECRET", "--params", json.dumps(cli_params)]) == 0
    assert capsys.readouterr().out.strip() == SIGNATURE
