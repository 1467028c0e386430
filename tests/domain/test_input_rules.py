"""What a person may type: each rule against empty, too long, emoji, markup, negative, absurd and
wrongly shaped input, and the values it must keep accepting."""

from __future__ import annotations

from functools import partial

import pytest

from qihang_app.domain import input_rules as r

LONG = "长" * 2000
NAME = partial(r.text, limit="store_name", required=True)
ADDRESS = partial(r.text, limit="address")
ITEM = partial(r.text, limit="item_name", required=True)
PRICE = partial(r.money, maximum=r.MAX_UNIT_PRICE_FEN)
SHOP_ID = partial(r.code, limit="platform_shop_id", required=True)
SECRET = partial(r.secret, limit="app_secret")

GOOD = [
    (NAME, "  愚园路店 ", "愚园路店"),
    (NAME, "Lawson 罗森 No.2 (静安)", "Lawson 罗森 No.2 (静安)"),
    (ADDRESS, "", ""),
    (ADDRESS, "上海市静安区南京西路 1266 号 3 楼 302 室", "上海市静安区南京西路 1266 号 3 楼 302 室"),
    (ITEM, "x" * 60, "x" * 60),
    (r.phone, "13812345678", "13812345678"),
    (r.phone, "021-6288 1234", "021-6288 1234"),
    (r.phone, "+86 138 1234 5678", "+86 138 1234 5678"),
    (r.phone, "", ""),
    (r.hhmm, "09:30", "09:30"),
    (r.hhmm, "", ""),
    (r.opening_hours, "08:00-12:00, 13:00-24:00", "08:00-12:00,13:00-24:00"),
    (r.latitude, "31.230416", 31.230416),
    (r.latitude, "", None),
    (r.latitude, -90, -90.0),
    (r.longitude, "121.473701", 121.473701),
    (r.username, " Clerk_01 ", "clerk_01"),
    (r.username, "a.b-c", "a.b-c"),
    (SHOP_ID, "mt-poi-1001", "mt-poi-1001"),
    (SECRET, "s3cret-VALUE_!#", "s3cret-VALUE_!#"),
    (SECRET, "", ""),
    (SECRET, "app-secret-值-0123456789", "app-secret-值-0123456789"),
    (r.search, "#12", "#12"),
    (r.search, "M2611271405AB12CD", "M2611271405AB12CD"),
    (r.search, "", ""),
    (r.quantity, "3", 3),
    (r.quantity, 9999, 9999),
    (r.hourly_cap, "", None),
    (r.hourly_cap, "60", 60),
    (PRICE, "", 0),
    (PRICE, "16.9", 1690),
    (PRICE, "¥1,234.50", 123450),
    (PRICE, ".5", 50),
    (PRICE, "99999.99", 9_999_999),
]


@pytest.mark.parametrize("rule, typed, clean", GOOD)
def test_good_input_comes_back_clean(rule, typed, clean):
    assert rule(typed) == clean


BAD = [
    # empty where required
    (NAME, "   ", "input.required"),
    (
        partial(r.text, limit="store_name", required=True, required_key="stores.err.name_required"),
        "",
        "stores.err.name_required",
    ),
    (r.username, "", "users.err.username_required"),
    (SHOP_ID, " ", "input.required"),
    # too long
    (ITEM, LONG, "input.too_long"),
    (ADDRESS, "路" * 3000, "input.too_long"),
    (r.username, "u" * 300, "input.too_long"),
    (r.phone, "1" * 40, "input.too_long"),
    (r.search, "1" * 41, "input.too_long"),
    (SECRET, "k" * 257, "input.too_long"),
    # emoji, markup, control characters
    (NAME, "好店😀", "input.bad_chars"),
    (NAME, "咖啡☕", "input.bad_chars"),
    (ITEM, "<script>alert(1)</script>", "input.bad_chars"),
    (ADDRESS, "1 号\x00楼", "input.bad_chars"),
    (r.username, "店员😀", "input.bad_username"),
    (r.username, "<b>x</b>", "input.bad_username"),
    (r.search, "<img src=x>", "input.bad_search"),
    (r.search, "🍎", "input.bad_search"),
    (SECRET, "has space", "input.bad_secret"),
    (SECRET, "key🔑", "input.bad_secret"),
    (SHOP_ID, "店铺😀", "input.bad_code"),
    # wrong format
    (r.phone, "abc-def", "input.bad_phone"),
    (r.phone, "138****5678", "input.bad_phone"),
    (r.hhmm, "25:00", "input.bad_time"),
    (r.hhmm, "9点", "input.bad_time"),
    (r.opening_hours, "9点到10点", "input.bad_hours"),
    (r.latitude, "91", "input.bad_lat"),
    (r.latitude, "north", "input.bad_lat"),
    (r.latitude, float("nan"), "input.bad_lat"),
    (r.longitude, "-181", "input.bad_lng"),
    (r.username, "ab", "input.bad_username"),
    (r.username, "_lead", "input.bad_username"),
    (r.quantity, "1.5", "input.bad_whole"),
    (r.quantity, "abc", "input.bad_whole"),
    (r.quantity, True, "input.bad_whole"),
    (PRICE, "1e5", "input.bad_money"),
    (PRICE, "12.345", "input.bad_money"),
    (PRICE, "¥", "input.bad_money"),
    (PRICE, "十块", "input.bad_money"),
    # negative and absurd
    (r.quantity, "0", "input.whole_range"),
    (r.quantity, "-3", "input.whole_range"),
    (r.quantity, "999999999", "input.whole_range"),
    (r.quantity, "9" * 400, "input.whole_range"),
    (r.hourly_cap, "0", "input.whole_range"),
    (PRICE, "-5", "input.money_range"),
    (PRICE, "99,999,999.99", "input.money_range"),
    (PRICE, "100000", "input.money_range"),
    (PRICE, "9" * 400, "input.money_range"),
    (partial(r.fen_in_range, maximum=100), -1, "input.money_range"),
    (partial(r.fen_in_range, maximum=100), 1.5, "input.bad_money"),
]


@pytest.mark.parametrize("rule, typed, key", BAD)
def test_bad_input_is_refused_with_a_key(rule, typed, key):
    with pytest.raises(r.InputError) as caught:
        rule(typed)
    assert caught.value.key == key


def test_check_names_the_field_and_check_all_reports_every_field():
    with pytest.raises(r.InputError) as caught:
        r.check("price_3", PRICE, "-1")
    assert caught.value.field == "price_3"
    values, problems = r.check_all(
        {
            "name": (NAME, " 店 "),
            "phone": (r.phone, "abc-def"),
            "qty": (r.whole, "0", {"minimum": 1, "maximum": 5}),
        }
    )
    assert values == {"name": "店"}
    assert {f: p.key for f, p in problems.items()} == {"phone": "input.bad_phone", "qty": "input.whole_range"}


def test_the_largest_order_stays_far_inside_a_64_bit_integer():
    biggest = r.MAX_QUANTITY * r.MAX_UNIT_PRICE_FEN * r.MAX_LINES + r.MAX_FREIGHT_FEN
    assert biggest < 2**53  # exact even as a JavaScript number
