"""pgRouting baseline for bounded single-source shortest paths on the walk graph.

    python bench/baselines/pgrouting.py D [--max-seconds 300] [--bbox] [--pgdata D/../pgdata]

Loads D/edges.csv into PostgreSQL (cost = reverse_cost = length_m) and, for each origin in
D/origins.csv in file order, runs one

    SELECT node, agg_cost FROM pgr_drivingDistance('SELECT id, source, target, cost, reverse_cost
                                                     FROM pgr_edges', <node>, <cutoff_m>, directed => false)

over one persistent psql session, timing each call from the client. It stops starting new calls
once --max-seconds have passed, so the per-origin time is measured on a prefix of the origins and
the total is an extrapolation (`extrapolated_s`).

pgr_drivingDistance builds its graph from the whole edge query on every call, so the plain form
costs O(|E|) per origin regardless of the cutoff. --bbox is the usual practitioner's remedy: the
edge query keeps only edges whose bounding box meets the square of side 2*cutoff around the
origin node (GiST index). That is exact as long as every length_m is at least the straight-line
distance between its end nodes, since then every node within network distance `cutoff` lies
within that square; the check below would show it otherwise.

The results are compared with D/network_ours.csv for the origins done: the same node set and
agg_cost within --tol (0.01 m). A node that only one side has, at a distance within --tol of the
cutoff, is counted as `boundary`, not as a mismatch (rounding at the cutoff).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit  # noqa: E402
from pg import PgInstance, copy_in  # noqa: E402


def load_sql(d: Path, bbox: bool) -> str:
    s = """
DROP TABLE IF EXISTS pgr_edges, pgr_nodes;
BEGIN;
CREATE TABLE pgr_edges (id bigint PRIMARY KEY, source bigint NOT NULL, target bigint NOT NULL,
                        cost float8 NOT NULL,
                        reverse_cost float8 GENERATED ALWAYS AS (cost) STORED);
"""
    s += copy_in("pgr_edges (id, source, target, cost)", d / "edges.csv")
    if bbox:
        s += "CREATE TABLE pgr_nodes (node bigint PRIMARY KEY, x float8 NOT NULL, y float8 NOT NULL);\n"
        s += copy_in("pgr_nodes (node, x, y)", d / "nodes.csv")
        s += """
ALTER TABLE pgr_edges ADD COLUMN geom geometry(LineString);
UPDATE pgr_edges e SET geom = ST_MakeLine(ST_MakePoint(a.x, a.y), ST_MakePoint(b.x, b.y))
FROM pgr_nodes a, pgr_nodes b WHERE a.node = e.source AND b.node = e.target;
CREATE INDEX pgr_edges_geom ON pgr_edges USING gist (geom);
"""
    s += "COMMIT;\nANALYZE pgr_edges;\n"
    if bbox:
        s += "ANALYZE pgr_nodes;\n"
    return s


def call_sql(node: int, cutoff: float, bbox: bool) -> str:
    edges = "SELECT id, source, target, cost, reverse_cost FROM pgr_edges"
    if bbox:
        edges += (f" WHERE geom && ST_Expand((SELECT ST_MakePoint(x, y) FROM pgr_nodes"
                  f" WHERE node = {node}), {cutoff!r})")
    return (f"SELECT node, agg_cost FROM pgr_drivingDistance($e${edges}$e$, {node}, {cutoff!r}::float8,"
            f" directed => false);\n")


class Session:
    """One psql process fed statement by statement; an \\echo marker ends each reply."""
    MARK = "__pgr_done__"

    def __init__(self, pg: PgInstance):
        self.p = subprocess.Popen(pg.psql_cmd(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)

    def query(self, sql: str) -> list[str]:
        self.p.stdin.write(sql + f"\\echo {self.MARK}\n")
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:  # psql quit: ON_ERROR_STOP after an error
                raise RuntimeError(f"psql session ended: {self.p.stderr.read().strip()}")
            if line.rstrip("\n") == self.MARK:
                return lines
            lines.append(line.rstrip("\n"))

    def close(self) -> None:
        self.p.stdin.close()
        self.p.wait()


def compare(ours: pd.DataFrame, got: pd.DataFrame, cutoffs: dict[int, float], tol: float) -> dict:
    m = ours.merge(got, on=["origin", "node"], how="outer", suffixes=("_ours", "_pgr"), indicator=True)
    cutoff = m["origin"].map(cutoffs)
    one_side = m["_merge"] != "both"
    present = m["distance_m_ours"].fillna(m["distance_m_pgr"])
    boundary = one_side & ((cutoff - present).abs() <= tol)
    only_ours = (m["_merge"] == "left_only") & ~boundary
    only_pgr = (m["_merge"] == "right_only") & ~boundary
    diff = (m["distance_m_ours"] - m["distance_m_pgr"]).abs()
    dist_bad = (m["_merge"] == "both") & ~(diff <= tol)
    bad = only_ours | only_pgr | dist_bad
    return {"check": "ok" if not bad.any() else "failed", "mismatches": int(bad.sum()),
            "compared": int((m["_merge"] == "both").sum()), "only_ours": int(only_ours.sum()),
            "only_pgrouting": int(only_pgr.sum()), "distance_mismatch": int(dist_bad.sum()),
            "boundary": int(boundary.sum()),
            "max_abs_diff_m": None if diff.dropna().empty else float(diff.max()),
            "examples": m.loc[bad, ["origin", "node", "distance_m_ours", "distance_m_pgr"]].head(5)
                         .astype(object).replace({float("nan"): None}).to_dict("records")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--bbox", action="store_true")
    ap.add_argument("--tol", type=float, default=0.01)
    ap.add_argument("--pgdata", help="default: D/../pgdata (reused across runs)")
    ap.add_argument("--port", type=int, default=55432)
    ap.add_argument("--out", help="default D/baselines/pgrouting[_bbox].csv")
    a = ap.parse_args(argv)
    d = Path(a.dir).resolve()
    name = "pgrouting_bbox" if a.bbox else "pgrouting"
    out = Path(a.out) if a.out else d / "baselines" / f"{name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    origins = pd.read_csv(d / "origins.csv", dtype={"origin": "int64", "category": str, "node": "int64",
                                                    "cutoff_m": "float64"})
    ours_meta_path = d / "network_ours.json"
    ours_meta = json.loads(ours_meta_path.read_text()) if ours_meta_path.exists() else {}
    pg = PgInstance(a.pgdata or d.parent / "pgdata", a.port)

    with pg:
        t0 = time.perf_counter()
        pg.sql(load_sql(d, a.bbox))
        load_s = time.perf_counter() - t0
        n_edges = int(pg.sql("SELECT count(*) FROM pgr_edges;").strip())
        s = Session(pg)
        # The first call pays for loading the pgRouting library into the backend; keep it out.
        s.query("SELECT count(*) FROM pgr_drivingDistance('SELECT 1::bigint AS id, 0::bigint AS source, "
                "1::bigint AS target, 1.0::float8 AS cost', 0, 1.0);\n")
        times, rows = [], []
        t1 = time.perf_counter()
        for o in origins.itertuples(index=False):
            if time.perf_counter() - t1 >= a.max_seconds:
                break
            c0 = time.perf_counter()
            lines = s.query(call_sql(int(o.node), float(o.cutoff_m), a.bbox))
            times.append(time.perf_counter() - c0)
            got = {}
            for line in lines:
                n, dist = line.split("|")
                got[int(n)] = float(dist)
            # An origin with no incident edge gets no row from pgRouting; ours has it at 0 m.
            got.setdefault(int(o.node), 0.0)
            rows += [(int(o.origin), n, dist) for n, dist in got.items()]
        compute_s = time.perf_counter() - t1
        s.close()

    done = len(times)
    got = pd.DataFrame(rows, columns=["origin", "node", "distance_m"])
    got.to_csv(out, index=False)
    done_ids = set(origins["origin"].iloc[:done])
    ours = pd.read_csv(d / "network_ours.csv", dtype={"origin": "int64", "node": "int64", "distance_m": "float64"})
    ours = ours[ours["origin"].isin(done_ids)]
    r = compare(ours, got, dict(zip(origins["origin"], origins["cutoff_m"])), a.tol)
    mean = statistics.fmean(times) if times else None
    emit({"baseline": name, "rows": int(len(got)), "sample": done / len(origins) if len(origins) else 0.0,
          "origins_done": done, "origins_total": int(len(origins)), "edges": n_edges,
          "load_s": round(load_s, 4), "compute_s": round(compute_s, 4),
          "seconds_per_origin": mean, "median_seconds_per_origin": statistics.median(times) if times else None,
          "max_seconds_per_origin": max(times) if times else None,
          "extrapolated_s": None if mean is None else mean * len(origins),
          "ours_seconds_per_origin": ours_meta.get("seconds_per_origin"), "ours": ours_meta,
          "check": r["check"], "mismatches": r["mismatches"],
          "compare": {k: v for k, v in r.items() if k not in ("check", "mismatches")}, "out": str(out)})
    return 0 if r["check"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
