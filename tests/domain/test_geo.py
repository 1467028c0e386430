"""Datum conversion against widely published reference values, and round trips."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihang_app.domain.geo import (
    Point,
    bd09_to_gcj02,
    distance_m,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    outside_china,
    wgs84_to_gcj02,
)

# 天安门 area: the reference outputs quoted with the common open-source converters.
CASES = [
    (bd09_to_gcj02, (116.404, 39.915), (116.39762729119315, 39.90865673957631)),
    (gcj02_to_bd09, (116.404, 39.915), (116.41036949371029, 39.92133699351021)),
    (wgs84_to_gcj02, (116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    (gcj02_to_wgs84, (116.404, 39.915), (116.39775550083061, 39.91359571849836)),
]


@pytest.mark.parametrize(("convert", "given_point", "expected"), CASES)
def test_known_points(convert, given_point, expected):
    got = convert(*given_point)
    assert got.lng == pytest.approx(expected[0], abs=1e-9)
    assert got.lat == pytest.approx(expected[1], abs=1e-9)


def test_the_gcj_offset_is_hundreds_of_metres_in_china_and_nothing_abroad():
    shanghai = Point(121.4737, 31.2304)
    shifted = wgs84_to_gcj02(shanghai.lng, shanghai.lat)
    assert 300 < distance_m(shanghai, shifted) < 700
    assert outside_china(139.69, 35.69)  # Tokyo
    assert wgs84_to_gcj02(139.69, 35.69) == Point(139.69, 35.69)


china_lng = st.floats(min_value=98.0, max_value=134.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)


@given(china_lng, china_lat)
def test_bd09_round_trip_within_a_metre(lng, lat):
    back = bd09_to_gcj02(*_xy(gcj02_to_bd09(lng, lat)))
    assert distance_m(Point(lng, lat), back) < 1.0


@given(china_lng, china_lat)
def test_wgs84_round_trip_within_a_few_metres(lng, lat):
    back = gcj02_to_wgs84(*_xy(wgs84_to_gcj02(lng, lat)))
    assert distance_m(Point(lng, lat), back) < 5.0


def test_distance_matches_a_known_span():
    # one degree of latitude is about 111.2 km on the mean sphere
    assert distance_m(Point(121.0, 31.0), Point(121.0, 32.0)) == pytest.approx(111_195, rel=1e-3)
    assert math.isclose(distance_m(Point(1, 1), Point(1, 1)), 0.0)


def _xy(p: Point) -> tuple[float, float]:
    return p.lng, p.lat
