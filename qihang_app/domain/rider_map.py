"""A small map of a delivery drawn without any tile service (pure): the store, the rider's last
position and the customer placed by their relative positions (GCJ-02, a local flat projection is
plenty at city scale), as an SVG the drawer shows. Colours: store blue, rider orange, customer
green; the legend is the page's."""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT, PAD = 320, 180, 22
COLOURS = {"store": "#3e63dd", "rider": "#f76b15", "customer": "#30a46c"}


def _project(points: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    lat0 = sum(lat for lat, _ in points.values()) / len(points)
    metres = {
        name: (lng * 111_320 * math.cos(math.radians(lat0)), lat * 110_540) for name, (lat, lng) in points.items()
    }
    xs = [x for x, _ in metres.values()]
    ys = [y for _, y in metres.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 200.0)  # at least 200 m across
    scale = min(WIDTH - 2 * PAD, HEIGHT - 2 * PAD) / span
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {
        name: (WIDTH / 2 + (x - cx) * scale, HEIGHT / 2 - (y - cy) * scale)  # north up
        for name, (x, y) in metres.items()
    }


def svg(
    store: tuple[float, float] | None,
    customer: tuple[float, float] | None,
    rider: tuple[float, float] | None,
    *,
    labels: dict[str, str] | None = None,
) -> str:
    """The map as SVG text, "" when fewer than two places are known. Points are (lat, lng)."""
    points = {k: v for k, v in (("store", store), ("customer", customer), ("rider", rider)) if v and None not in v}
    if len(points) < 2:
        return ""
    at = _project(points)
    labels = labels or {"store": "店", "customer": "客", "rider": "骑"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'class="qh-rider-map"><rect width="{WIDTH}" height="{HEIGHT}" rx="10" fill="#f4f6f8"/>'
    ]
    for i in range(1, 4):  # a faint grid so distance reads as distance
        parts.append(f'<line x1="{WIDTH * i / 4:.0f}" y1="0" x2="{WIDTH * i / 4:.0f}" y2="{HEIGHT}" stroke="#e3e7eb"/>')
    if "store" in at and "customer" in at:
        (x1, y1), (x2, y2) = at["store"], at["customer"]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#8b8d98" stroke-dasharray="5 4"/>'
        )
    for name in ("store", "customer", "rider"):
        if name in at:
            x, y = at[name]
            radius = 12 if name == "rider" else 10
            parts.append(
                f'<g data-point="{name}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{COLOURS[name]}"/>'
                f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" fill="#fff">'
                f"{escape(labels.get(name, ''))}</text></g>"
            )
    parts.append("</svg>")
    return "".join(parts)
