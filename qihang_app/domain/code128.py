"""Code 128 barcodes (ISO/IEC 15417) for waybill labels, drawn as SVG without a library.

Each symbol is three bars and three spaces, 11 modules wide (the stop symbol: 13). Printable
ASCII goes through code set B; runs of digits switch to code set C, two digits per symbol, which
keeps a long tracking number narrow enough for a 76 mm label. The check symbol is the start
value plus each symbol value times its position, modulo 103.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

# Bar/space widths of symbol values 0..106 (103-105: start A/B/C, 106: stop), the public table.
WIDTHS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip

START_B, START_C, CODE_B, CODE_C, STOP = 104, 105, 100, 99, 106
QUIET = 10  # modules of blank on each side (the standard asks for at least 10)


def _digit_run(text: str, at: int) -> int:
    end = at
    while end < len(text) and text[end].isdigit():
        end += 1
    return end - at


def symbols(text: str) -> list[int]:
    """Symbol values: start, data, check, stop. ValueError for text set B cannot carry."""
    if not text:
        raise ValueError("empty barcode text")
    if any(not 32 <= ord(c) <= 126 for c in text):
        raise ValueError("Code 128 set B carries printable ASCII only")
    out: list[int] = []
    lead = _digit_run(text, 0)
    code_c = lead == len(text) and lead % 2 == 0 or lead >= 4
    out.append(START_C if code_c else START_B)
    i = 0
    while i < len(text):
        run = _digit_run(text, i)
        if code_c:
            if run >= 2:
                out.append(int(text[i : i + 2]))
                i += 2
                continue
            out.append(CODE_B)
            code_c = False
        # set C pays off for 4+ digits at the end, 6+ in the middle (the switch costs a symbol)
        if run >= 4 and (i + run == len(text) or run >= 6):
            if run % 2:  # the odd digit goes in set B first
                out.append(ord(text[i]) - 32)
                i += 1
            out.append(CODE_C)
            code_c = True
            continue
        out.append(ord(text[i]) - 32)
        i += 1
    check = (out[0] + sum(pos * value for pos, value in enumerate(out[1:], start=1))) % 103
    return [*out, check, STOP]


def modules(text: str) -> str:
    """The barcode as '1' (bar) and '0' (space) modules, without the quiet zones."""
    bits = []
    for value in symbols(text):
        for n, width in enumerate(WIDTHS[value]):
            bits.append(("1" if n % 2 == 0 else "0") * int(width))
    return "".join(bits)


def svg(text: str, *, height: int = 60, label: bool = False) -> str:
    """A standalone SVG, one unit per module: it scales to any width the page gives it."""
    bars = modules(text)
    width = len(bars) + 2 * QUIET
    rects = []
    x = 0
    while x < len(bars):
        if bars[x] == "1":
            end = bars.find("0", x)
            end = len(bars) if end < 0 else end
            rects.append(f'<rect x="{x + QUIET}" y="0" width="{end - x}" height="{height}"/>')
            x = end
        else:
            x += 1
    total = height + (14 if label else 0)
    caption = (
        f'<text x="{width / 2}" y="{height + 12}" font-size="12" text-anchor="middle"'
        f' font-family="monospace">{escape(text)}</text>'
        if label
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total}" preserveAspectRatio="none"'
        f' shape-rendering="crispEdges"><rect width="{width}" height="{total}" fill="#fff"/>'
        f'<g fill="#000">{"".join(rects)}</g>{caption}</svg>'
    )


def svg_data_uri(text: str, *, height: int = 60) -> str:
    return "data:image/svg+xml;charset=utf-8," + quote(svg(text, height=height))
