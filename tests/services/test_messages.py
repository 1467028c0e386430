"""What services and workers tell a person reaches the page as a message key of the catalog
(qihang_app/i18n.py), translated there into the reader's language: never a "中文 / English" pair."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from qihang_app.i18n import MESSAGES, tr, tr_known
from qihang_app.services import dispatch, stores, users
from qihang_app.services.errors import ConflictError, NotFoundError, ServiceError, ValidationError
from tests.ingest_support import arq_redis, ctx, redis_url  # noqa: F401  (the worker context)
from workers.tasks.connection import test_shop_connection as connection_test

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = sorted((ROOT / "qihang_app/services").glob("*.py")) + [
    ROOT / "workers/tasks/connection.py",
    ROOT / "workers/tasks/outbox.py",
]
ERRORS = {"NotFoundError", "ConflictError", "ValidationError"}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in MESSAGES.items():
        assert zh and en and _fields(zh) == _fields(en), key


# the one place that passes a key on: a broken input rule (its keys are checked below)
PASSED_ON = ("errors.py", "exc.key")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_refusals_name_a_catalog_key(path):
    """Every NotFound/Conflict/ValidationError a service raises carries key=<a catalog key>."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
            keys = [k.value for k in node.keywords if k.arg == "key"]
            if keys and (path.name, ast.unparse(keys[0])) == PASSED_ON:
                continue
            assert keys and isinstance(keys[0], ast.Constant), f"{path.name}:{node.lineno} raises without a key"
            assert keys[0].value in MESSAGES, f"{path.name}:{node.lineno} {keys[0].value}"


def test_input_rules_name_catalog_keys():
    """Every InputError of domain/input_rules.py names a catalog key with the same placeholders."""
    tree = ast.parse((ROOT / "qihang_app/domain/input_rules.py").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "InputError"]
    keys = {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and re.fullmatch(r"(input|users\.err)\.[a-z_]+", n.value)
    }  # also keys passed on to _shaped()
    assert len(keys) > 10 and keys <= set(MESSAGES), keys - set(MESSAGES)
    for call in calls:
        if call.args and isinstance(call.args[0], ast.Constant):
            given = {k.arg for k in call.keywords if k.arg != "field"}
            assert given == _fields(MESSAGES[call.args[0].value][0]), (call.lineno, given)
    defaults = {
        k.value.value
        for c in ast.walk(tree)
        if isinstance(c, ast.arguments)
        for k in [
            ast.keyword(arg=a.arg, value=d) for a, d in zip(c.kwonlyargs, c.kw_defaults) if a.arg == "required_key"
        ]
    }
    assert defaults <= set(MESSAGES)


def test_a_refusal_reads_in_one_language_at_a_time(session, world):
    with pytest.raises(ValidationError) as caught:
        stores.create_store(session, actor=world.admin, name="  ")
    err = caught.value
    assert isinstance(err, ServiceError) and err.key == "stores.err.name_required"
    assert tr(err.key, "zh", **err.params) == "门店名称不能为空"
    assert str(err) == tr(err.key, "en", **err.params) == "The store name is required"  # logs


@pytest.mark.parametrize(
    "call, error, key",
    [
        (lambda s, w: stores.get_shop(s, actor=w.admin, shop_id=999_999), NotFoundError, "shops.err.not_found"),
        (
            lambda s, w: dispatch.accept(s, actor=w.admin, order_id=w.order_a),
            ConflictError,
            "board.err.not_awaiting_accept",
        ),
        (
            lambda s, w: users.create_user(s, actor=w.admin, username="xyz", role="boss", password="long enough 1"),
            ValidationError,
            "users.err.bad_role",
        ),
    ],
)
def test_refusals_carry_their_parameters(session, world, call, error, key):
    with pytest.raises(error) as caught:
        call(session, world)
    err = caught.value
    assert err.key == key
    for lang in ("zh", "en"):
        text = tr(err.key, lang, **err.params)
        assert " / " not in text and bool(HAN.search(text)) == (lang == "zh")


def test_a_bare_text_stays_as_it_is():
    """Texts nobody reads on screen may still be raised without a key."""
    err = ValidationError("plain words")
    assert err.key is None and str(err) == "plain words"
    assert tr_known("plain words", "en") == "plain words"
    assert tr_known("pulls.err.interrupted", "en") == "The pull was interrupted (the worker stopped)"


async def test_the_connection_test_answers_with_a_key(ctx):
    answer = await connection_test(ctx, 999_999)
    assert answer == {"ok": False, "key": "shops.test.not_found"}
    assert tr_known(answer["key"], "en") == "Shop not found"
