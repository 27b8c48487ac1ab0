#!/usr/bin/env python3
"""Writes the two inputs OpenStreetMap does not give for the beijing-haidian city:
inputs/admin_areas.geojson and inputs/population_grid.csv. Neither is real data; both are made by
the documented method below from the extract's bounding box, so that the nightly can run on the
real extract (inputs/haidian.osm.pbf). Standard library only; reads the box from the .pbf header
with `osmium fileinfo` when osmium-tool is installed, else uses the box written below (the same).

Boundaries (admin_areas.geojson): a regular partition of the box, not the real street and
community boundaries (which are not open data):
  - one district, 110108 海淀区 (its real code), covering the box;
  - three streets (rows of the box, south to north), codes 110108901..903 (9xx: made up);
  - nine communities, 3 x 3 equal rectangles of about 0.54 km2 each, codes <street>001..003.

Population grid (population_grid.csv): 250 m x 250 m cells aligned on the box's south-west corner
and cut at the box (the last column and row are narrower), residents = area x a uniform density,
divided into the project's age bands:
  - density: Haidian's 7th-census residents, 3,133,469, over its area, 430.77 km2
    (about 7,274 per km2), the same in every cell: a census density, not a dasymetric estimate, so
    cells over campuses, parks and roads get residents too (the fallbacks must place them);
  - age shares: Beijing's 7th-census communique (2021): 0-14 11.9 %, 15-59 68.5 %, 60+ 19.6 %,
    of whom 65+ 13.3 %. The split of 0-14 into 0-2 / 3-5 / 6-11 / 12-14 is by years of age
    (3/15, 3/15, 6/15, 3/15), and 80+ is taken as 2.9 % of all residents: both ASSUMPTIONS, not
    census figures;
  - whole persons: each cell's total is rounded, and its bands are allocated by largest remainder.
"""
import csv
import json
import math
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "inputs")
EXTRACT = os.path.join(INPUTS, "haidian.osm.pbf")
BOX = (116.3084, 39.9905, 116.3320, 40.0123)  # min_lon, min_lat, max_lon, max_lat (export box)

DISTRICT = ("110108", "海淀区")
STREET_NAMES = ["南片街道", "中片街道", "北片街道"]  # made-up names for made-up streets
CELL_M = 250.0
DENSITY_PER_KM2 = 3_133_469 / 430.77
BANDS = ["pop_0_2", "pop_3_5", "pop_6_11", "pop_12_14", "pop_15_59", "pop_60_64", "pop_65_79",
         "pop_80_plus"]
SHARES = [11.9 * 3 / 15, 11.9 * 3 / 15, 11.9 * 6 / 15, 11.9 * 3 / 15, 68.5, 19.6 - 13.3,
          13.3 - 2.9, 2.9]


def extract_box():
    try:
        out = subprocess.run(["osmium", "fileinfo", "-g", "header.boxes", EXTRACT],
                             capture_output=True, text=True, check=True).stdout
        return tuple(float(v) for v in out.strip().strip("()").split(","))
    except (OSError, subprocess.CalledProcessError, ValueError):
        return BOX


def metres_per_degree(lat):
    p = math.radians(lat)
    return (111_412.84 * math.cos(p) - 93.5 * math.cos(3 * p),
            111_132.92 - 559.82 * math.cos(2 * p) + 1.175 * math.cos(4 * p))


def rect(x0, y0, x1, y1):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return [[round(x, 7), round(y, 7)] for x, y in ring]


def largest_remainder(total, shares):
    raw = [total * s / sum(shares) for s in shares]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:total - sum(out)]:
        out[i] += 1
    return out


def main():
    min_lon, min_lat, max_lon, max_lat = extract_box()
    assert abs(sum(SHARES) - 100.0) < 1e-9
    mx, my = metres_per_degree((min_lat + max_lat) / 2)

    features = [{"type": "Feature", "properties": {"area_code": DISTRICT[0], "area_name": DISTRICT[1],
                                                   "level": "district", "parent_code": None},
                 "geometry": {"type": "Polygon", "coordinates": [rect(min_lon, min_lat, max_lon, max_lat)]}}]
    xs = [min_lon + (max_lon - min_lon) * i / 3 for i in range(4)]
    ys = [min_lat + (max_lat - min_lat) * j / 3 for j in range(4)]
    xs[-1], ys[-1] = max_lon, max_lat
    for j in range(3):
        street = f"{DISTRICT[0]}9{j + 1:02d}"
        features.append({"type": "Feature",
                         "properties": {"area_code": street, "area_name": STREET_NAMES[j],
                                        "level": "street", "parent_code": DISTRICT[0]},
                         "geometry": {"type": "Polygon",
                                      "coordinates": [rect(min_lon, ys[j], max_lon, ys[j + 1])]}})
        for i in range(3):
            features.append({"type": "Feature",
                             "properties": {"area_code": f"{street}{i + 1:03d}",
                                            "area_name": f"{STREET_NAMES[j][:2]}{i + 1}号社区",
                                            "level": "community", "parent_code": street},
                             "geometry": {"type": "Polygon",
                                          "coordinates": [rect(xs[i], ys[j], xs[i + 1], ys[j + 1])]}})
    with open(os.path.join(INPUTS, "admin_areas.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, indent=1)
        f.write("\n")

    dx, dy = CELL_M / mx, CELL_M / my
    ncol, nrow = math.ceil((max_lon - min_lon) / dx - 1e-9), math.ceil((max_lat - min_lat) / dy - 1e-9)
    gx = [min(min_lon + i * dx, max_lon) for i in range(ncol + 1)]
    gy = [min(min_lat + j * dy, max_lat) for j in range(nrow + 1)]
    total = 0
    with open(os.path.join(INPUTS, "population_grid.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "unit_kind", *BANDS, "wkt"])
        for j in range(nrow):
            for i in range(ncol):
                x0, x1, y0, y1 = gx[i], gx[i + 1], gy[j], gy[j + 1]
                area_km2 = (x1 - x0) * mx * (y1 - y0) * my / 1e6
                residents = round(area_km2 * DENSITY_PER_KM2)
                total += residents
                ring = ", ".join(f"{x} {y}" for x, y in rect(x0, y0, x1, y1))
                w.writerow([f"R{j:02d}C{i:02d}", "cell", *largest_remainder(residents, SHARES),
                            f"POLYGON (({ring}))"])
    print(f"box {min_lon},{min_lat},{max_lon},{max_lat}: {len(features)} areas, "
          f"{ncol} x {nrow} cells, {total} residents")


if __name__ == "__main__":
    main()
