"""Charts of the report as inline SVG, drawn on the server from the numbers of the tables beside them.

No JavaScript: the same markup goes into the page and the PDF. Every chart is `role="img"` with a `<title>` and a
`<desc>` that says where its table is; the numbers are printed on the bars, so the chart reads without colour.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from ..results.figures import figure

WIDTH = 640
ROW = 22
LABEL_W = 300
BAR_W = WIDTH - LABEL_W - 90
COLOURS = ("#1f5f99", "#8a4f00")  # this period, previous period (4.5:1 on white)


def _short(text: str, limit: int = 44) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scale(values: list[float], fmt: str) -> float:
    top = max([v for v in values if v is not None] or [0])
    if fmt == "share":
        return max(top, 0.0001) if top > 1 else 1.0
    return top or 1.0


def bars(title: str, labels: list[str], values: list, fmt: str, table_id: str = "") -> Markup:
    """Horizontal bars, one per label, the value printed at the end of each bar."""
    pairs = [(str(label), v) for label, v in zip(labels, values, strict=False)]
    height = ROW * len(pairs) + 10
    top = _scale([v for _l, v in pairs], fmt)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="c-{table_id}"><title id="c-{table_id}">'
             f"{escape(title)}</title>"]
    for i, (label, value) in enumerate(pairs):
        y = 5 + i * ROW
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="11">'
                     f"{escape(_short(label))}</text>")
        if value is None:
            parts.append(f'<text x="{LABEL_W + 4}" y="{y + 15}" font-size="11">—</text>')
            continue
        w = max(1.0, BAR_W * (value / top)) if value > 0 else 0
        parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW - 7}" fill="{COLOURS[0]}"/>')
        parts.append(f'<text x="{LABEL_W + w + 4:.1f}" y="{y + 15}" font-size="11">{escape(figure(value, fmt))}'
                     "</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def intervals(title: str, rows: list[dict], table_id: str = "") -> Markup:
    """Shares of this period and the previous one, each with its Wilson 95 % interval as a whisker, on 0..100 %."""
    rows = [r for r in rows if r["fmt"] == "share" and r["value"] is not None]
    height = ROW * 2 * len(rows) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="c-{table_id}"><title id="c-{table_id}">'
             f"{escape(title)}</title>"]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = LABEL_W + BAR_W * tick
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" stroke="#ccc"/>'
                     f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="10">{int(tick * 100)} %'
                     "</text>")
    for i, r in enumerate(rows):
        y = 4 + i * 2 * ROW
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 14}" text-anchor="end" font-size="11">'
                     f"{escape(_short(r['label']))}</text>")
        for j, (value, low, high) in enumerate(((r["value"], r["ci_low"], r["ci_high"]),
                                                (r["previous"], r["prev_ci_low"], r["prev_ci_high"]))):
            if value is None:
                continue
            cy = y + 10 + j * ROW * 0.8
            x = LABEL_W + BAR_W * value
            if low is not None and high is not None:
                parts.append(f'<line x1="{LABEL_W + BAR_W * low:.1f}" y1="{cy:.1f}" x2="{LABEL_W + BAR_W * high:.1f}"'
                             f' y2="{cy:.1f}" stroke="{COLOURS[j]}" stroke-width="2"/>')
            mark = (f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="4" fill="{COLOURS[j]}"/>' if j == 0 else
                    f'<rect x="{x - 3.5:.1f}" y="{cy - 3.5:.1f}" width="7" height="7" fill="{COLOURS[j]}"/>')
            parts.append(mark)
    parts.append("</svg>")
    return Markup("".join(parts))


def funnel(title: str, plot: dict, table_id: str = "") -> Markup:
    """A funnel plot: every authority's share against its volume, the 95 % and 99.8 % limits around the pooled
    share, this authority drawn larger and labelled."""
    points = [p for p in plot.get("points", []) if p.get("n") and p.get("value") is not None]
    limits = plot.get("limits") or []
    height, left, bottom = 260, 50, 30
    width = WIDTH - left - 10
    top_n = max([p["n"] for p in points] + [lim["n"] for lim in limits] + [1])

    def px(n):
        return left + width * (n / top_n)

    def py(v):
        return 10 + (height - bottom - 10) * (1 - v)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="c-{table_id}"><title id="c-{table_id}">'
             f"{escape(title)}</title>"]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(f'<line x1="{left}" y1="{py(tick):.1f}" x2="{left + width}" y2="{py(tick):.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 4}" y="{py(tick) + 4:.1f}" text-anchor="end" font-size="10">'
                     f"{int(tick * 100)} %</text>")
    for key, dash in (("low_95", "4 3"), ("high_95", "4 3"), ("low_998", ""), ("high_998", "")):
        line = [(lim["n"], lim.get(key)) for lim in limits if lim.get(key) is not None]
        if len(line) > 1:
            path = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in line)
            parts.append(f'<polyline points="{path}" fill="none" stroke="#666" stroke-dasharray="{dash}"/>')
    if plot.get("pooled") is not None:
        parts.append(f'<line x1="{left}" y1="{py(plot["pooled"]):.1f}" x2="{left + width}" '
                     f'y2="{py(plot["pooled"]):.1f}" stroke="#333"/>')
    for p in points:
        if p.get("self"):
            continue
        parts.append(f'<circle cx="{px(p["n"]):.1f}" cy="{py(p["value"]):.1f}" r="2.5" fill="#999"/>')
    for p in points:
        if p.get("self"):
            parts.append(f'<circle cx="{px(p["n"]):.1f}" cy="{py(p["value"]):.1f}" r="6" fill="{COLOURS[0]}"/>')
    parts.append(f'<text x="{left + width}" y="{height - 6}" text-anchor="end" font-size="10">n = {top_n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
