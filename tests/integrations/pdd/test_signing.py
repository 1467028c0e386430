"""PDD's signature: MD5(secret + sorted k+v + secret), uppercase. No official vector is published
in platform-apis.md §6, so the example below was worked out by hand from that rule."""

from __future__ import annotations

import hashlib
import json

import httpx

from integrations import sign as sign_cli
from integrations.pdd.sign import pdd_sign, sign_base

EXAMPLE = {
    "type": "pdd.order.information.get",
    "client_id": "CID",
    "access_token": "TOKEN",
    "timestamp": "1700000000",
    "data_type": "JSON",
    "order_sn": "231127-123456789012345",
}
BASE = (
    "SECRET"
    "access_tokenTOKEN"
    "client_idCID"
    "data_typeJSON"
    "order_sn231127-123456789012345"
    "timestamp1700000000"
    "typepdd.order.information.get"
    "SECRET"
)
EXPECTED = "8DAF42E5C392AC3A637CFD9CD4A31D61"


def test_worked_example():
    assert sign_base("SECRET", EXAMPLE) == BASE
    assert pdd_sign("SECRET", EXAMPLE) == EXPECTED == hashlib.md5(BASE.encode()).hexdigest().upper()


def test_sign_itself_is_not_signed_and_objects_are_compact_json():
    assert pdd_sign("SECRET", {**EXAMPLE, "sign": "X"}) == EXPECTED
    base = sign_base("S", {"data_list": [{"data_tag": "1", "encrypted_data": "~a~"}]})
    assert base == 'Sdata_list[{"data_tag":"1","encrypted_data":"~a~"}]S'


def test_cli_prints_the_signature_last(capsys):
    params = json.dumps({**EXAMPLE, "timestamp": 1700000000})
    assert sign_cli.main(["pdd", "--secret", "SECRET", "--params", params, "--show-base"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [BASE, EXPECTED]


async def test_the_twin_refuses_a_bad_signature(pdd_shop, client_for, sandbox_url):
    client = client_for(pdd_shop)
    body = client.signed("pdd.goods.list.get", {"page": 1, "page_size": 1})
    async with httpx.AsyncClient(trust_env=False) as http:
        good = (await http.post(client.base_url, json=body)).json()
        bad = (await http.post(client.base_url, json={**body, "page": "2"})).json()
    assert "goods_list_get_response" in good
    assert bad["error_response"]["error_code"] == 10001
