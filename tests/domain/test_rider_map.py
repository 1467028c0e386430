"""The delivery's small map: places keep their relative positions (north up, east right), the
picture stays inside its box, labels are escaped, and fewer than two places draw nothing."""

from __future__ import annotations

import re

from qihang_app.domain.rider_map import HEIGHT, WIDTH, svg

STORE = (31.2290, 121.4480)
CUSTOMER = (31.2050, 121.4420)  # south-west of the store


def _points(text: str) -> dict[str, tuple[float, float]]:
    found = re.findall(r'data-point="(\w+)"><circle cx="([\d.]+)" cy="([\d.]+)"', text)
    return {name: (float(x), float(y)) for name, x, y in found}


def test_relative_positions_and_bounds():
    rider = (31.2170, 121.4450)  # half way
    drawn = _points(svg(STORE, CUSTOMER, rider))
    assert set(drawn) == {"store", "customer", "rider"}
    assert drawn["customer"][1] > drawn["store"][1]  # further south is lower on the map
    assert drawn["customer"][0] < drawn["store"][0]  # further west is to the left
    sx, sy = drawn["store"]
    cx, cy = drawn["customer"]
    rx_, ry = drawn["rider"]
    assert min(sx, cx) <= rx_ <= max(sx, cx) and min(sy, cy) <= ry <= max(sy, cy)
    assert all(0 <= x <= WIDTH and 0 <= y <= HEIGHT for x, y in drawn.values())


def test_too_few_places_and_one_spot():
    assert svg(STORE, None, None) == ""
    assert svg(None, None, CUSTOMER) == ""
    same = _points(svg(STORE, STORE, None))  # store and customer at one spot: no division by zero
    assert same["store"] == same["customer"]


def test_labels_are_escaped():
    text = svg(STORE, CUSTOMER, None, labels={"store": "<b>", "customer": "&"})
    assert "<b>" not in text and "&lt;b&gt;" in text and "&amp;" in text
