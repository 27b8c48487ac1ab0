#!/usr/bin/env python3
"""Writes the inputs of the osm-sample city: inputs/sample.osm.pbf, a hand-made OpenStreetMap
extract, and the two inputs OSM does not give, inputs/admin_areas.geojson (one district, one
street, two communities split at x = 300 m) and inputs/population_grid.csv (two grid cells).

Re-run after changing the design (needs `pip install osmium`, i.e. pyosmium); the .pbf is committed
so that the Java tests need no Python. Every feature below is there for one reason, written beside
it; OsmSampleIT pins the counts that follow from this design.

Coordinates are given in metres east (x) and north (y) of the origin (114.300 E, 30.600 N) and
converted with fixed metres-per-degree factors at 30.6 N: exactness does not matter, only that
every feature lies clearly on one side of every threshold (areas, bounds).
"""
import csv
import json
import os

import osmium
from osmium.osm.mutable import Node, Relation, Way

LON0, LAT0 = 114.300, 30.600
M_PER_DEG_LON = 95_899.0   # 111,412.84 cos(phi) - 93.5 cos(3 phi) at phi = 30.6
M_PER_DEG_LAT = 110_862.0  # 111,132.92 - 559.82 cos(2 phi) + 1.175 cos(4 phi)

INPUTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "inputs")
OUT = os.path.join(INPUTS, "sample.osm.pbf")

nodes, ways, relations = [], [], []
next_id = [1]


def node(x, y, tags=None, write=True):
    """A node at (x, y) metres; write=False makes an id that ways reference but the file lacks."""
    nid = next_id[0]
    next_id[0] += 1
    if write:
        lon = round(LON0 + x / M_PER_DEG_LON, 7)
        lat = round(LAT0 + y / M_PER_DEG_LAT, 7)
        nodes.append(Node(id=nid, location=(lon, lat), tags=tags or {}))
    return nid


def way(wid, refs, tags=None):
    ways.append(Way(id=wid, nodes=refs, tags=tags or {}))
    return wid


def square(wid, x, y, side, tags):
    """A closed way: a square with its south-west corner at (x, y)."""
    a, b = node(x, y), node(x + side, y)
    c, d = node(x + side, y + side), node(x, y + side)
    return way(wid, [a, b, c, d, a], tags)


# ---------------------------------------------------------------- walk network (ids 100+)
# W100 highway=residential along y = 200, nodes every 100 m: N1..N7 (x = 0..600).
N = [node(x, 200) for x in range(0, 601, 100)]
way(100, N, {"highway": "residential", "name": "幸福路"})
# W101 footway at x = 200 from y = 0 to 400, sharing N3 (x = 200) with W100: split there.
S = [node(200, 0), node(200, 100), N[2], node(200, 300), node(200, 400)]
way(101, S, {"highway": "footway"})
# W102 service road at x = 400 from N5 (x = 400) north: N5 is its end node.
way(102, [N[4], node(400, 300), node(400, 400)], {"highway": "service"})
# W103 steps from N6 (x = 500) south; the last node lies south of the city bounds, as in a
# clipped extract: kept as far as its nodes exist (one edge N6-U2).
way(103, [N[5], node(500, 100), node(500, -250)], {"highway": "steps"})
# W104 motorway: not walkable. It shares S1 with W101 (S1 is W101's end node anyway).
way(104, [node(0, 0), S[0], node(600, 0)], {"highway": "motorway"})
# W105 path with foot=no: not walkable, and its node shared with W100 (N2) is no junction.
way(105, [N[1], node(100, 300)], {"highway": "path", "foot": "no"})
# W106 footway whose other two nodes are missing from the file: one node left, dropped.
way(106, [node(550, 350), node(0, 0, write=False), node(0, 0, write=False)], {"highway": "footway"})
# W107 track with a missing node in the middle: two pieces, A-B and C-D, never bridged.
A, B = node(0, 350), node(50, 350)
X = node(0, 0, write=False)
C, D = node(120, 350), node(170, 350)
way(107, [A, B, X, C, D], {"highway": "track"})
# Walk network: W100 4 edges (split at N3, N5, N6), W101 2, W102 1, W103 1, W107 2 = 10 edges;
# W106 dropped (too few nodes).

# ---------------------------------------------------------------- land use (ids 200+)
# L200 landuse=residential (compound and parcel 0701) around the north-west block.
square(200, 10, 210, 180, {"landuse": "residential", "name": "幸福小区"})
# L201 landuse=retail (parcel 0901) around B204 in the south-east.
square(201, 410, 10, 80, {"landuse": "retail"})
# L202 landuse=farmland: no land-use code in the tag catalog, unmapped.
square(202, 510, 10, 80, {"landuse": "farmland"})

# ---------------------------------------------------------------- buildings (ids 300+)
square(300, 20, 220, 30, {"building": "apartments", "building:levels": "18", "start_date": "2005"})
square(301, 70, 220, 30, {"building": "residential", "building:levels": "6", "start_date": "1998-05"})
# B302 building=yes on landuse=residential: residential, no levels (default), no year.
square(302, 120, 220, 30, {"building": "yes"})
# B303 building=yes on no land use: the fallback use (commercial), default levels.
square(303, 220, 20, 30, {"building": "yes"})
# B304 retail on landuse=retail, start_date "~1990" (approximate year 1990).
square(304, 420, 20, 30, {"building": "retail", "building:levels": "2", "start_date": "~1990"})
square(305, 250, 110, 30, {"building": "school", "building:levels": "4"})
# B306 house built "2031": after the snapshot date, quarantined FUTURE_DATE by the same validation.
square(306, 320, 220, 20, {"building": "house", "building:levels": "3", "start_date": "2031"})
# B307 building=yes with a corner node missing (clipped): cannot close, dropped.
b = [node(330, 300), node(360, 300), node(0, 0, write=False), node(330, 330)]
way(307, b + [b[0]], {"building": "yes"})
# R400 multipolygon office (10 levels) with a courtyard: outer W308 and inner W309, both untagged.
square(308, 420, 240, 60, {})
square(309, 440, 260, 20, {})
relations.append(Relation(id=400, members=[("w", 308, "outer"), ("w", 309, "inner")],
                          tags={"type": "multipolygon", "building": "office", "building:levels": "10"}))
# R401 multipolygon building whose only outer way is not in the file: unassembled.
relations.append(Relation(id=401, members=[("w", 399, "outer")],
                          tags={"type": "multipolygon", "building": "yes"}))
# Buildings: 8 read (300-306 and R400), 1 quarantined (306), 2 dropped (307 too few nodes, R401).

# ---------------------------------------------------------------- facilities (ids 500+ for ways)
def poi(x, y, tags):
    node(x, y, tags)


poi(30, 260, {"amenity": "kindergarten", "name": "阳光幼儿园"})         # kindergarten
poi(150, 150, {"amenity": "school", "name": "幸福小学"})                # primary_school
poi(250, 250, {"amenity": "school", "isced:level": "2"})              # middle_school
square(500, 260, 300, 40, {"amenity": "school", "isced:level": "3"})  # unmapped: senior high school
poi(60, 190, {"shop": "supermarket"})                                 # food_market
poi(110, 190, {"shop": "convenience"})                                # convenience_store
poi(160, 190, {"shop": "greengrocer"})                                # food_market
poi(210, 190, {"amenity": "pharmacy"})                                # pharmacy
poi(260, 190, {"amenity": "clinic"})                                  # health_station
poi(310, 190, {"amenity": "doctors"})                                 # health_station
poi(360, 190, {"amenity": "social_facility", "social_facility": "nursing_home",
               "social_facility:for": "senior"})                      # elderly_home
poi(410, 190, {"amenity": "social_facility", "social_facility": "day_care",
               "social_facility:for": "senior"})                      # elderly_day_care
square(501, 20, 20, 100, {"leisure": "park", "name": "中心公园"})      # park: 10,000 m2
square(502, 130, 30, 60, {"leisure": "garden"})                       # pocket_park: 3,600 m2
square(503, 520, 120, 30, {"leisure": "park"})                        # unmapped: 900 m2 < 2,000
square(504, 300, 30, 50, {"leisure": "pitch"})                        # sports_field (centroid)
poi(230, 210, {"leisure": "fitness_station"})                         # fitness_ground
poi(330, 210, {"highway": "bus_stop"})                                # bus_stop
poi(430, 210, {"amenity": "charging_station"})                        # ev_charging
poi(530, 210, {"amenity": "toilets"})                                 # public_toilet
poi(580, 190, {"amenity": "post_office"})                             # post_parcel
poi(580, 210, {"amenity": "parcel_locker"})                           # post_parcel
poi(560, 300, {"amenity": "restaurant"})                              # unmapped
square(505, 300, 330, 50, {"leisure": "sports_centre"})               # sports_field (centroid)
# Facilities: 21 mapped, 3 unmapped (W500, W503, the restaurant).


def lonlat(x, y):
    return [round(LON0 + x / M_PER_DEG_LON, 7), round(LAT0 + y / M_PER_DEG_LAT, 7)]


def box(x0, y0, x1, y1):
    return [lonlat(x0, y0), lonlat(x1, y0), lonlat(x1, y1), lonlat(x0, y1), lonlat(x0, y0)]


def write_admin_areas():
    """Planners' own boundaries (OSM has no communities in most Chinese cities)."""
    areas = [
        ("420106", "示范区", "district", None, box(-50, -50, 650, 450)),
        ("420106001", "幸福街道", "street", "420106", box(-50, -50, 650, 450)),
        ("420106001001", "西社区", "community", "420106001", box(-50, -50, 300, 450)),
        ("420106001002", "东社区", "community", "420106001", box(300, -50, 650, 450)),
    ]
    features = [{"type": "Feature",
                 "properties": {"area_code": c, "area_name": n, "level": lv, "parent_code": p},
                 "geometry": {"type": "Polygon", "coordinates": [ring]}}
                for c, n, lv, p, ring in areas]
    with open(os.path.join(INPUTS, "admin_areas.geojson"), "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False, indent=1)


def write_population_grid():
    """Cell A (west) holds 970 residents, all in buildings 300-302; cell B (east) has none."""
    bands = ["pop_0_2", "pop_3_5", "pop_6_11", "pop_12_14", "pop_15_59", "pop_60_64",
             "pop_65_79", "pop_80_plus"]
    cells = [("A", [30, 40, 80, 40, 600, 60, 100, 20], (-50, -50, 300, 450)),
             ("B", [0] * 8, (300, -50, 650, 450))]
    with open(os.path.join(INPUTS, "population_grid.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "unit_kind"] + bands + ["wkt"])
        for cid, pops, (x0, y0, x1, y1) in cells:
            ring = ", ".join(f"{lon} {lat}" for lon, lat in box(x0, y0, x1, y1))
            w.writerow([cid, "cell"] + pops + [f"POLYGON (({ring}))"])


def main():
    os.makedirs(INPUTS, exist_ok=True)
    write_admin_areas()
    write_population_grid()
    if os.path.exists(OUT):
        os.remove(OUT)
    writer = osmium.SimpleWriter(OUT)
    try:
        for n in sorted(nodes, key=lambda n: n.id):
            writer.add_node(n)
        for w in sorted(ways, key=lambda w: w.id):
            writer.add_way(w)
        for r in sorted(relations, key=lambda r: r.id):
            writer.add_relation(r)
    finally:
        writer.close()
    print(f"{OUT}: {len(nodes)} nodes, {len(ways)} ways, {len(relations)} relations")


if __name__ == "__main__":
    main()
