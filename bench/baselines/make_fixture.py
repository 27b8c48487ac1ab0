"""Writes a tiny exporter-shaped directory with brute-force expected results, for testing the
baseline scripts without Spark:

    python bench/baselines/make_fixture.py /tmp/blfix [--homes 200] [--facilities 30] [--corrupt]

`--corrupt` damages one distance and blanks one non-null distance in access_ours so that the
checks can be seen to fail. The layout mirrors what the Java exporter writes (see README in this
folder); the ids are zero-padded strings on purpose, to catch readers that parse them as numbers.
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import random
import shutil
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# "pharmacy" has no facility: the exporter emits null distances for such categories.
CATEGORIES = [("school", 500.0, 800.0), ("clinic", 800.0, 1200.0), ("market", 300.0, 600.0),
              ("pharmacy", 500.0, 700.0)]


def dijkstra(adj: dict[int, list[tuple[int, float]]], src: int, cutoff: float) -> dict[int, float]:
    dist = {src: 0.0}
    heap = [(0.0, src)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist.get(u, math.inf):
            continue
        for v, w in adj[u]:
            nd = d + w
            if nd <= cutoff and nd < dist.get(v, math.inf):
                dist[v] = nd
                heapq.heappush(heap, (nd, v))
    return dist


def write_csv(path: Path, header: str, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join("" if v is None else repr(v) if isinstance(v, float) else str(v) for v in r) + "\n")


def write_spark_parquet(dirpath: Path, table: pa.Table) -> None:
    # Mimic Spark's output: a part file plus _SUCCESS and .crc side files the readers must skip.
    if dirpath.exists():
        shutil.rmtree(dirpath)
    dirpath.mkdir(parents=True)
    name = f"part-00000-{uuid.UUID(int=0)}-c000.snappy.parquet"
    pq.write_table(table, dirpath / name, compression="snappy")
    (dirpath / "_SUCCESS").write_bytes(b"")
    (dirpath / "._SUCCESS.crc").write_bytes(b"crc")
    (dirpath / f".{name}.crc").write_bytes(b"crc")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--homes", type=int, default=200)
    ap.add_argument("--facilities", type=int, default=30)
    ap.add_argument("--grid", type=int, default=10)
    ap.add_argument("--origins", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corrupt", action="store_true")
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    # Metric coordinates with a large offset, like a projected CRS, so precision loss would show.
    x0, y0, extent = 500_000.0, 4_400_000.0, 1000.0

    homes = [(f"{i:06d}", x0 + rnd.uniform(0, extent), y0 + rnd.uniform(0, extent)) for i in range(a.homes)]
    with_fac = [c for c in CATEGORIES if c[0] != "pharmacy"]
    facilities = []
    for j in range(a.facilities):
        cat = with_fac[j % len(with_fac)][0]
        facilities.append((f"F{j:04d}", cat, x0 + rnd.uniform(0, extent), y0 + rnd.uniform(0, extent)))
    # An exact duplicate location: ties may pick either id, so comparisons must use distances.
    facilities.append(("F9999", facilities[0][1], facilities[0][2], facilities[0][3]))
    write_csv(d / "homes.csv", "building_id,x,y", homes)
    write_csv(d / "facilities.csv", "facility_id,category,x,y", facilities)
    write_csv(d / "categories.csv", "code,threshold_m,cutoff_m", CATEGORIES)

    # Brute force, vectorised per category so that larger fixtures (for timing runs) stay cheap.
    hx = np.array([h[1] for h in homes]); hy = np.array([h[2] for h in homes])
    rows = {"building_id": [], "category": [], "facility_id": [], "distance_m": []}
    per_cat = {}
    for cat, _, _ in CATEGORIES:
        fs = [f for f in facilities if f[1] == cat]
        if not fs:
            per_cat[cat] = ([None] * len(homes), [None] * len(homes))
            continue
        fx = np.array([f[2] for f in fs]); fy = np.array([f[3] for f in fs])
        ids, dists = [], []
        for s in range(0, len(homes), 2048):
            dd = np.hypot(fx[None, :] - hx[s:s + 2048, None], fy[None, :] - hy[s:s + 2048, None])
            k = dd.argmin(axis=1)
            ids += [fs[i][0] for i in k]
            dists += dd[np.arange(len(k)), k].tolist()
        per_cat[cat] = (ids, dists)
    for i, (hid, _, _) in enumerate(homes):
        for cat, _, _ in CATEGORIES:
            rows["building_id"].append(hid)
            rows["category"].append(cat)
            rows["facility_id"].append(per_cat[cat][0][i])
            rows["distance_m"].append(per_cat[cat][1][i])
    if a.corrupt:
        rows["distance_m"][0] += 0.5
        k = next(i for i in range(1, len(rows["distance_m"])) if rows["distance_m"][i] is not None)
        rows["distance_m"][k] = None
        rows["facility_id"][k] = None
    table = pa.table({"building_id": pa.array(rows["building_id"], pa.string()),
                      "category": pa.array(rows["category"], pa.string()),
                      "facility_id": pa.array(rows["facility_id"], pa.string()),
                      "distance_m": pa.array(rows["distance_m"], pa.float64())})
    write_spark_parquet(d / "access_ours", table)

    # Jittered grid; lengths are at least the straight-line distance, as real street lengths are.
    g, step = a.grid, extent / (a.grid - 1)
    nodes = [(i * g + j, x0 + j * step + rnd.uniform(-15, 15), y0 + i * step + rnd.uniform(-15, 15))
             for i in range(g) for j in range(g)]
    edges, adj = [], {n: [] for n, _, _ in nodes}
    for i in range(g):
        for j in range(g):
            u = i * g + j
            for v in ([u + 1] if j + 1 < g else []) + ([u + g] if i + 1 < g else []):
                length = math.hypot(nodes[u][1] - nodes[v][1], nodes[u][2] - nodes[v][2]) * rnd.uniform(1.0, 1.3)
                edges.append((len(edges), u, v, length))
                adj[u].append((v, length))
                adj[v].append((u, length))
    write_csv(d / "nodes.csv", "node,x,y", nodes)
    write_csv(d / "edges.csv", "edge,source,target,length_m", edges)

    cutoff = {c: co for c, _, co in CATEGORIES}
    origins = []
    for k, (fid, cat, fx, fy) in enumerate(rnd.sample(facilities, min(a.origins, len(facilities)))):
        node = min(nodes, key=lambda n: math.hypot(n[1] - fx, n[2] - fy))[0]
        origins.append((k, cat, node, cutoff[cat]))
    write_csv(d / "origins.csv", "origin,category,node,cutoff_m", origins)
    net = []
    for origin, _, node, co in origins:
        for v, dist in sorted(dijkstra(adj, node, co).items()):
            net.append((origin, v, dist))
    if a.corrupt:
        net[1] = (net[1][0], net[1][1], net[1][2] + 1.0)
    write_csv(d / "network_ours.csv", "origin,node,distance_m", net)
    (d / "network_ours.json").write_text(json.dumps({"seconds_per_origin": 0.0001, "origins": len(origins)}))
    print(json.dumps({"dir": str(d), "homes": len(homes), "facilities": len(facilities),
                      "access_rows": table.num_rows, "nodes": len(nodes), "edges": len(edges),
                      "origins": len(origins), "network_rows": len(net), "corrupt": a.corrupt}))


if __name__ == "__main__":
    main()
