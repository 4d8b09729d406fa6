"""Server-side SVG bar charts for the yearly report, built as an element tree with lxml (escaped by it).

One group of bars per figure, one bar per year, so each figure's trend reads from left to right. A hidden
cell ("< 5", "x") draws no bar but its mark, as in the table beside the chart (which is what screen readers
read: the chart is one image with a title). Colours and lines come from classes (app.css), so a printed page
keeps them or falls back to its print rules.
"""

from __future__ import annotations

from lxml import etree
from markupsafe import Markup

SVG = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 28, 52


def _add(parent, tag: str, **attributes):
    return etree.SubElement(parent, f"{{{SVG}}}{tag}", **attributes)


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _short(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:,.0f}".replace(",", ".") if value >= 1 else f"{value:.1f}".replace(".", ",")


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, dict]], years: list[str]) -> Markup:
    """`rows`: (label, {year: cell}) in the order of the table; returns inline SVG."""
    svg = etree.Element(
        f"{{{SVG}}}svg",
        nsmap={None: SVG},
        viewBox=f"0 0 {WIDTH} {HEIGHT}",
        role="img",
        **{"class": "chart", "aria-labelledby": f"{chart_id}-title"},
    )
    _add(svg, "title", id=f"{chart_id}-title").text = title
    peak = max([_number(v) or 0 for _, values in rows for v in values.values()] + [0])
    scale = peak or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    for fraction in (0, 0.5, 1):
        y = base - fraction * plot_h
        _add(svg, "line", x1=str(LEFT), x2=str(WIDTH - RIGHT), y1=f"{y:.1f}", y2=f"{y:.1f}", **{"class": "chart-grid"})
        label = _add(svg, "text", x=str(LEFT - 6), y=f"{y + 4:.1f}", **{"class": "chart-axis", "text-anchor": "end"})
        label.text = _short(fraction * peak) if peak else "0"
    group_w = plot_w / max(len(rows), 1)
    bar_w = max(min(group_w * 0.8 / max(len(years), 1), 28), 2)
    for g, (name, values) in enumerate(rows):
        x0 = LEFT + g * group_w + (group_w - bar_w * len(years)) / 2
        for i, year in enumerate(years):
            cell, x = values.get(year), x0 + i * bar_w
            number = _number(cell)
            if number is None:
                if cell is not None:
                    mark = _add(
                        svg,
                        "text",
                        x=f"{x + bar_w / 2:.1f}",
                        y=f"{base - 4:.1f}",
                        **{"class": "chart-mark", "text-anchor": "middle"},
                    )
                    mark.text = str(cell)
                continue
            height = plot_h * number / scale
            _add(
                svg,
                "rect",
                x=f"{x:.1f}",
                y=f"{base - height:.1f}",
                width=f"{bar_w * 0.9:.1f}",
                height=f"{height:.1f}",
                **{"class": f"chart-bar chart-year-{i}"},
            )
        label = _add(
            svg,
            "text",
            x=f"{LEFT + g * group_w + group_w / 2:.1f}",
            y=str(base + 16),
            **{"class": "chart-label", "text-anchor": "middle"},
        )
        label.text = name if len(name) <= max(int(group_w / 7), 4) else name[: max(int(group_w / 7), 4) - 1] + "…"
    for i, year in enumerate(years):  # the legend
        x = LEFT + i * 70
        _add(
            svg, "rect", x=str(x), y=str(HEIGHT - 16), width="12", height="12", **{"class": f"chart-bar chart-year-{i}"}
        )
        _add(svg, "text", x=str(x + 16), y=str(HEIGHT - 6), **{"class": "chart-axis"}).text = year
    return Markup(etree.tostring(svg, encoding="unicode"))
