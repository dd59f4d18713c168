"""Server-side SVG bar charts: integer geometry for a template, no scripts, no styles
(the CSP allows neither), always shown next to a table with the same figures."""


def bar_chart(points, *, width=360, top=24, bottom=170, height=200) -> dict:
    """``points`` is a list of (label, {series: value}); bars of a point sit side by side."""
    series = list(points[0][1]) if points else []
    peak = max((v for _label, values in points for v in values.values()), default=0)
    slot = width // max(len(points), 1)
    bar = max((slot - 8) // max(len(series), 1), 1)

    def scaled(value) -> int:
        return round(max(value, 0) * (bottom - top) / peak) if peak > 0 else 0

    bars, labels = [], []
    for i, (label, values) in enumerate(points):
        left = i * slot + 4
        for j, name in enumerate(series):
            h = scaled(values[name])
            bars.append(
                {"kind": name, "x": left + j * bar, "y": bottom - h, "width": bar, "height": h}
            )
        labels.append({"x": i * slot + slot // 2, "text": label})
    return {
        "width": width,
        "height": height,
        "top": top,
        "bottom": bottom,
        "peak": peak,
        "bars": bars,
        "labels": labels,
    }
