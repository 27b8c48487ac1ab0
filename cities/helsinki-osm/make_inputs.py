#!/usr/bin/env python3
"""Derives the two inputs OpenStreetMap does not give for the Helsinki OSM city from public data:

- inputs/population_grid.csv: the real 250 m population grid of Helsinki Region Environmental
  Services (HSY, "Väestötietoruudukko 2020", CC BY 4.0), as r5py's sample data ships it
  (r5py/r5py.sampledata.helsinki, data/helsinki_population_grid_2020.gpkg, commit fd9f443):
  every cell that touches the extract's bounding box, with its real resident total. The grid has
  totals only, so the total is split into the project's age bands by approximate shares of
  Helsinki's population (Statistics Finland, 2020; approximate, see AGE_SHARES), largest
  remainder, so every cell keeps its real total exactly.
- inputs/admin_areas.geojson: Helsinki's sub-districts are not in these data, so the bounds are
  partitioned regularly: one district, two streets (west, east), twelve communities (2 x 3 each).

Usage: make_inputs.py PATH/TO/helsinki_population_grid_2020.gpkg
(needs geopandas; the project's .venv has it: .venv/bin/python cities/helsinki-osm/make_inputs.py …)
"""
import csv
import json
import math
import sys
from pathlib import Path

import geopandas
from shapely.geometry import box, mapping

HERE = Path(__file__).resolve().parent
# The OSM extract's bounding box (osmium fileinfo inputs/helsinki_centre.osm.pbf).
EXTRACT = (24.9351766, 60.1641551, 24.9534132, 60.1791074)
BANDS = ["pop_0_2", "pop_3_5", "pop_6_11", "pop_12_14", "pop_15_59", "pop_60_64", "pop_65_79",
         "pop_80_plus"]
# Approximate shares of Helsinki's residents by age (Statistics Finland, 2020), in BANDS order.
AGE_SHARES = [0.030, 0.028, 0.052, 0.024, 0.635, 0.053, 0.130, 0.048]


def split(total, shares):
    quotas = [total * s / sum(shares) for s in shares]
    whole = [int(q) for q in quotas]
    order = sorted(range(len(shares)), key=lambda i: (-(quotas[i] - whole[i]), i))
    for i in order[: total - sum(whole)]:
        whole[i] += 1
    return whole


def main(gpkg):
    cells = geopandas.read_file(gpkg).to_crs("EPSG:4326")
    cells = cells[cells.intersects(box(*EXTRACT))].sort_values("id")
    with open(HERE / "inputs" / "population_grid.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "unit_kind", *BANDS, "wkt"])
        for c in cells.itertuples():
            w.writerow([f"hsy-{c.id}", "cell", *split(int(c.population), AGE_SHARES),
                        c.geometry.wkt])
    minx = min(EXTRACT[0], cells.total_bounds[0])
    miny = min(EXTRACT[1], cells.total_bounds[1])
    maxx = max(EXTRACT[2], cells.total_bounds[2])
    maxy = max(EXTRACT[3], cells.total_bounds[3])
    features = [area("990301001", "赫尔辛基中心区 Helsinki centre", "district", None,
                     box(minx, miny, maxx, maxy))]
    midx = (minx + maxx) / 2
    for s, (x0, x1) in enumerate([(minx, midx), (midx, maxx)], start=1):
        street = f"990301001{s:03d}"
        features.append(area(street, ["西街道 West", "东街道 East"][s - 1], "street", "990301001",
                             box(x0, miny, x1, maxy)))
        for k in range(6 // 2):
            for j in range(2):
                cx0 = x0 + (x1 - x0) * j / 2
                cy0 = miny + (maxy - miny) * k / 3
                code = f"{street}{k * 2 + j + 1:03d}"
                features.append(area(code, f"社区 {s}-{k * 2 + j + 1}", "community", street,
                                     box(cx0, cy0, cx0 + (x1 - x0) / 2, cy0 + (maxy - miny) / 3)))
    with open(HERE / "inputs" / "admin_areas.geojson", "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False,
                  indent=1)
    # The city config's bounds, rounded outwards so every cell and area lies inside them.
    print(f"{len(cells)} cells, {int(cells.population.sum())} residents; bounds "
          f"{math.floor(minx * 1e5) / 1e5:.5f},{math.floor(miny * 1e5) / 1e5:.5f},"
          f"{math.ceil(maxx * 1e5) / 1e5:.5f},{math.ceil(maxy * 1e5) / 1e5:.5f}")


def area(code, name, level, parent, geom):
    return {"type": "Feature", "properties": {"area_code": code, "area_name": name, "level": level,
                                              "parent_code": parent}, "geometry": mapping(geom)}


if __name__ == "__main__":
    main(sys.argv[1])
