"""Draws docs/performance.svg (solve time against unknowns, log-log) from
docs/performance/runs.csv, written by measure.sh, and prints each family's scaling exponent
(least-squares slope of log time on log unknowns). Python 3 standard library only."""

import csv
import math
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
SERIES = {
    "world": ("synthetic world R x S x F", "#1f77b4"),
    "sam_sparse": ("SAM model, 20 inputs per sector", "#2ca02c"),
    "sam_dense": ("SAM model, dense input-output table", "#d62728"),
}
W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 420, 70, 620, 30, 360
X_DECADES = (2, 5)  # 10^2 .. 10^5 unknowns
Y_DECADES = (-3, 2)  # 1 ms .. 100 s


def slope(points):
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx


def px(n):
    lo, hi = X_DECADES
    return LEFT + (math.log10(n) - lo) / (hi - lo) * (RIGHT - LEFT)


def py(t):
    lo, hi = Y_DECADES
    return BOTTOM - (math.log10(t) - lo) / (hi - lo) * (BOTTOM - TOP)


def main():
    runs = list(csv.DictReader(open(HERE / "runs.csv")))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
    ]
    for d in range(X_DECADES[0], X_DECADES[1] + 1):
        x = px(10**d)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{BOTTOM}" stroke="#ddd"/>')
        out.append(
            f'<text x="{x:.1f}" y="{BOTTOM + 18}" text-anchor="middle">10'
            f'<tspan dy="-6" font-size="9">{d}</tspan></text>'
        )
    labels = {-3: "1 ms", -2: "10 ms", -1: "0.1 s", 0: "1 s", 1: "10 s", 2: "100 s"}
    for d in range(Y_DECADES[0], Y_DECADES[1] + 1):
        y = py(10.0**d)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{labels[d]}</text>')
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{RIGHT - LEFT}" height="{BOTTOM - TOP}" '
        'fill="none" stroke="#888"/>'
    )
    out.append(
        f'<text x="{(LEFT + RIGHT) / 2}" y="{H - 20}" text-anchor="middle">unknowns</text>'
    )
    out.append(
        f'<text x="16" y="{(TOP + BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(TOP + BOTTOM) / 2})">counterfactual solve time</text>'
    )
    legend_y = TOP + 16
    for family, (name, colour) in SERIES.items():
        points = [
            (int(r["unknowns"]), float(r["solve_s"])) for r in runs if r["family"] == family
        ]
        if len(points) < 2:
            continue
        points.sort()
        b = slope(points)
        print(f"{family}: exponent {b:.2f} over n = {points[0][0]}..{points[-1][0]}")
        path = " ".join(f"{px(n):.1f},{py(t):.1f}" for n, t in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for n, t in points:
            out.append(f'<circle cx="{px(n):.1f}" cy="{py(t):.1f}" r="3" fill="{colour}"/>')
        out.append(
            f'<text x="{LEFT + 10}" y="{legend_y}" fill="{colour}">{name}: '
            f"time ~ n^{b:.2f}</text>"
        )
        legend_y += 16
    out.append("</svg>")
    (HERE.parent / "performance.svg").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
