#!/usr/bin/env python3
"""Builds data/gueret/communes.geojson and derived/grid_200m_synthetic.csv from
raw/communes-selection.geojson (6 communes, WGS84) and raw/communes-selection-2154.csv (the same
projected to Lambert-93 by ogr2ogr, geometry as WKT). See ../PROVENANCE.md for every figure.

    cd data/gueret && python3 scripts/make_layers.py
"""
import csv
import json
import math
import re

# code: (population, children under 3, households, poor households, single-parent households, sector)
# population: municipal population as published (see PROVENANCE.md); the rest are assumptions stated there.
FIGURES = {
    "23096": (12734, 290, 6630, 1460, 730, "Guéret"),
    "23193": (2472, 62, 1100, 120, 75, "Couronne"),
    "23245": (2050, 52, 900, 100, 60, "Couronne"),
    "23195": (1050, 27, 460, 50, 30, "Couronne"),
    "23206": (700, 17, 310, 35, 20, "Couronne"),
    "23092": (670, 15, 300, 36, 18, "Couronne"),
}
CELL = 200.0


def rings(wkt):
    """Outer and inner rings of a (MULTI)POLYGON WKT, as lists of (x, y)."""
    out = []
    for ring in re.findall(r"\(([^()]+)\)", wkt):
        out.append([tuple(map(float, p.split())) for p in ring.split(",")])
    return out


def inside(x, y, rs):
    n = 0
    for r in rs:
        for (x1, y1), (x2, y2) in zip(r, r[1:] + r[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                n += 1
    return n % 2 == 1


def main():
    with open("raw/communes-selection.geojson") as f:
        gj = json.load(f)
    for feat in gj["features"]:
        code = feat["properties"]["code"]
        pop, kids, hh, poor, single, sector = FIGURES[code]
        feat["properties"] = {
            "code": code, "name": feat["properties"]["nom"], "epci": "CA du Grand Guéret", "sector": sector,
            "population": pop, "children_under_3": kids, "households": hh, "poor_households": poor,
            "single_parent_households": single}
    with open("communes.geojson", "w") as f:
        json.dump(gj, f, ensure_ascii=False)
    rows = []
    with open("raw/communes-selection-2154.csv") as f:
        for rec in csv.DictReader(f):
            code = rec["code"]
            pop, kids, hh, poor, single, _ = FIGURES[code]
            rs = rings(rec["WKT"])
            xs = [p[0] for r in rs for p in r]
            ys = [p[1] for r in rs for p in r]
            cx = sum(p[0] for p in rs[0]) / len(rs[0])
            cy = sum(p[1] for p in rs[0]) / len(rs[0])
            scale = 1500.0 if code == "23096" else 700.0  # a town centre, or a bourg and hamlets
            cells = []
            x = math.floor(min(xs) / CELL) * CELL
            while x < max(xs):
                y = math.floor(min(ys) / CELL) * CELL
                while y < max(ys):
                    mx, my = x + CELL / 2, y + CELL / 2
                    if inside(mx, my, rs):
                        d = math.hypot(mx - cx, my - cy)
                        cells.append((x, y, math.exp(-d / scale) + 0.03))
                    y += CELL
                x += CELL
            total = sum(w for _, _, w in cells)
            for x, y, w in cells:
                share = w / total
                people = round(pop * share, 1)
                if people < 1.0:
                    continue
                # Poorer households where people are densest (a town's social housing), as in the INSEE grid.
                dens = w / max(c[2] for c in cells)
                rows.append({
                    "id": f"CRS2154RES200mN{int(y)}E{int(x)}", "x_sw": int(x), "y_sw": int(y), "people": people,
                    "children_0_3": round(kids * share, 2),
                    "low_income_households": round(poor * share * (0.5 + dens), 2),
                })
    with open("derived/grid_200m_synthetic.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "cells")


if __name__ == "__main__":
    main()
