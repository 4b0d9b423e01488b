"""Figures of the benchmark: medians with their spread, and the table they go in."""

import statistics
import time


def now():
    return time.monotonic()


def stats(values):
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "min": values[0],
        "max": values[-1],
        "p95": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))],
    }


def fmt(s, unit="s", scale=1.0, digits=2):
    return (
        f"{s['median'] * scale:.{digits}f} {unit} "
        f"({s['min'] * scale:.{digits}f}-{s['max'] * scale:.{digits}f})"
    )


def ratio(a, b):
    return f"{a['median'] / b['median']:.2f}"


def table(rows):
    lines = ["| measurement | figure: median (min-max) | ratio |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def against(base_label, base, label, value):
    """Two rows of the table: a baseline's figure, and one measured against it."""
    return [(base_label, fmt(base), "1.00"), (label, fmt(value), ratio(value, base))]
