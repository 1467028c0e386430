"""Map coordinates: China's three datums and distances.

Everything inside the OMS is GCJ-02 (高德/腾讯, what Meituan, Douyin and most carriers send). BD-09
(百度) positions — e.g. 闪送's rider positions — are converted at the adapter edge; WGS-84 (GPS) only
where a device reports raw GPS. The GCJ-02 offset is the published Krasovsky-ellipsoid formula; it
applies inside mainland China only, so points outside are returned unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_A = 6378245.0  # Krasovsky 1940 semi-major axis
_EE = 0.00669342162296594323  # its eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8


@dataclass(frozen=True, slots=True)
class Point:
    lng: float
    lat: float


def outside_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_delta(lng: float, lat: float) -> tuple[float, float]:
    dlat = _offset_lat(lng - 105.0, lat - 35.0)
    dlng = _offset_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> Point:
    if outside_china(lng, lat):
        return Point(lng, lat)
    dlng, dlat = _gcj_delta(lng, lat)
    return Point(lng + dlng, lat + dlat)


def gcj02_to_wgs84(lng: float, lat: float) -> Point:
    """The usual one-step inverse (error under a metre or two, plenty for a rider on a map)."""
    if outside_china(lng, lat):
        return Point(lng, lat)
    dlng, dlat = _gcj_delta(lng, lat)
    return Point(lng - dlng, lat - dlat)


def bd09_to_gcj02(lng: float, lat: float) -> Point:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return Point(z * math.cos(theta), z * math.sin(theta))


def gcj02_to_bd09(lng: float, lat: float) -> Point:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return Point(z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006)


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance (haversine); datum offsets are far below what it needs."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lng - a.lng)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))
