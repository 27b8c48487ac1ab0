"""PostGIS baseline for the straight-line nearest facility per home and category.

    python bench/baselines/postgis_knn.py D [--sample 0.1] [--sessions 2] [--index composite]
                                            [--pgdata D/../pgdata] [--port 55432]

Starts the private PostgreSQL of pg.py, loads D/homes.csv and D/facilities.csv (client-side
COPY; the point geometry is a stored generated column, so it is built during the COPY), builds
the facility index, ANALYZEs, then runs the KNN query

    SELECT h.building_id, c.code, n.distance_m
    FROM homes h CROSS JOIN categories c
    LEFT JOIN LATERAL (SELECT ST_Distance(f.geom, h.geom) AS distance_m FROM facilities f
                       WHERE f.category = c.code ORDER BY f.geom <-> h.geom LIMIT 1) n ON true

in --sessions concurrent psql sessions (homes split by row number modulo sessions), each writing
its share with \\copy ... TO a CSV. LEFT JOIN rather than CROSS JOIN LATERAL so that a category
with no facility yields a null distance, as ours does.

--index picks how facilities are indexed (timings on the same data are in README.md):
  composite  GiST (category, geom) via btree_gist; one index, category is an index qual.
  geomcat    GiST (geom, category): the same columns, geometry first, so page splits follow space
             and the category is checked from btree_gist ranges inside the spatial tree.
  partial    one GiST (geom) per category WHERE category = '<code>'; the query becomes a UNION ALL
             of one lateral per category literal, since a partial index is only usable when the
             planner sees the constant.
  geom       GiST (geom) alone; the category is a filter on the KNN scan, which walks past
             facilities of other categories (slow for rare categories; kept as the naive variant).

load_s covers create + COPY + index + ANALYZE; compute_s is the wall time from starting the
sessions until the last one finished. Exit status is non-zero when compare.py's check fails.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, read_csv, sample_sql  # noqa: E402
from pg import PgInstance, copy_in  # noqa: E402
import compare  # noqa: E402


def lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def load_sql(d: Path, cats: list[str], index: str) -> str:
    s = """
DROP TABLE IF EXISTS knn_homes, knn_facilities, knn_categories;
BEGIN;
-- Created and filled in one transaction so that wal_level=minimal can skip WAL for the COPY.
CREATE TABLE knn_homes (
  rn bigint GENERATED ALWAYS AS IDENTITY (MINVALUE 0 START WITH 0),
  building_id text NOT NULL, x float8 NOT NULL, y float8 NOT NULL,
  geom geometry(Point) GENERATED ALWAYS AS (ST_MakePoint(x, y)) STORED);
CREATE TABLE knn_facilities (
  facility_id text NOT NULL, category text NOT NULL, x float8 NOT NULL, y float8 NOT NULL,
  geom geometry(Point) GENERATED ALWAYS AS (ST_MakePoint(x, y)) STORED);
CREATE TABLE knn_categories (code text PRIMARY KEY, threshold_m float8, cutoff_m float8);
"""
    # rn follows file order (one COPY assigns identities sequentially), which the sample uses.
    s += copy_in("knn_homes (building_id, x, y)", d / "homes.csv")
    s += copy_in("knn_facilities (facility_id, category, x, y)", d / "facilities.csv")
    s += copy_in("knn_categories (code, threshold_m, cutoff_m)", d / "categories.csv")
    s += "COMMIT;\n"
    if index == "composite":
        s += "CREATE INDEX knn_facilities_cat_geom ON knn_facilities USING gist (category, geom);\n"
    elif index == "geomcat":
        s += "CREATE INDEX knn_facilities_geom_cat ON knn_facilities USING gist (geom, category);\n"
    elif index == "geom":
        s += "CREATE INDEX knn_facilities_geom ON knn_facilities USING gist (geom);\n"
    else:
        for i, c in enumerate(cats):
            s += f"CREATE INDEX knn_facilities_geom_{i} ON knn_facilities USING gist (geom) WHERE category = {lit(c)};\n"
    s += "ANALYZE knn_homes; ANALYZE knn_facilities; ANALYZE knn_categories;\n"
    return s


def query_sql(cats: list[str], index: str, where: str) -> str:
    if index != "partial":
        return f"""SELECT h.building_id, c.code, n.distance_m
FROM knn_homes h CROSS JOIN knn_categories c
LEFT JOIN LATERAL (SELECT ST_Distance(f.geom, h.geom) AS distance_m FROM knn_facilities f
                   WHERE f.category = c.code ORDER BY f.geom <-> h.geom LIMIT 1) n ON true
WHERE {where}"""
    parts = [f"""SELECT h.building_id, {lit(c)}::text AS code, n.distance_m
FROM knn_homes h
LEFT JOIN LATERAL (SELECT ST_Distance(f.geom, h.geom) AS distance_m FROM knn_facilities f
                   WHERE f.category = {lit(c)} ORDER BY f.geom <-> h.geom LIMIT 1) n ON true
WHERE {where}""" for c in cats]
    return "\nUNION ALL\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--sample", type=float, default=1.0)
    ap.add_argument("--sessions", type=int, default=2)
    ap.add_argument("--index", choices=["composite", "geomcat", "partial", "geom"], default="partial")
    ap.add_argument("--pgdata", help="default: D/../pgdata (reused across runs)")
    ap.add_argument("--port", type=int, default=55432)
    ap.add_argument("--out", help="folder for the session CSVs; default D/baselines/postgis_knn")
    ap.add_argument("--explain", action="store_true", help="print the plan of session 0 to stderr")
    a = ap.parse_args(argv)
    d = Path(a.dir).resolve()
    out = Path(a.out) if a.out else d / "baselines" / "postgis_knn"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.csv"):
        old.unlink()
    cats = read_csv(d / "categories.csv")["code"].tolist()
    pg = PgInstance(a.pgdata or d.parent / "pgdata", a.port)

    with pg:
        t0 = time.perf_counter()
        pg.sql(load_sql(d, cats, a.index))
        load_s = time.perf_counter() - t0
        counts = pg.sql("SELECT (SELECT count(*) FROM knn_homes), (SELECT count(*) FROM knn_facilities);")
        n_homes, n_fac = (int(v) for v in counts.strip().split("|"))
        samp = sample_sql("h.rn", a.sample)

        def where(k: int) -> str:
            return f"h.rn % {a.sessions} = {k} AND {samp}"

        if a.explain:
            print(pg.sql("EXPLAIN " + query_sql(cats, a.index, where(0)) + ";"), file=sys.stderr)
        t1 = time.perf_counter()
        procs = []
        for k in range(a.sessions):
            path = out / f"part-{k:03d}.csv"
            q = " ".join(query_sql(cats, a.index, where(k)).split())  # \copy wants one line
            procs.append(pg.popen(f"\\copy ({q}) TO '{path}' WITH (FORMAT csv)\n"))
        errors = []
        for p in procs:
            _, err = p.communicate()
            if p.returncode != 0:
                errors.append(err.strip())
        compute_s = time.perf_counter() - t1
        if errors:
            raise RuntimeError("session failed: " + " | ".join(errors))

    res = pd.concat([compare.read_baseline(p) for p in sorted(out.glob("part-*.csv"))], ignore_index=True)
    r = compare.check(d, res)
    emit({"baseline": f"postgis_knn", "rows": int(len(res)), "sample": a.sample, "index": a.index,
          "sessions": a.sessions, "homes": int(res["building_id"].nunique()), "homes_total": n_homes,
          "facilities": n_fac, "categories": len(cats), "load_s": round(load_s, 4),
          "compute_s": round(compute_s, 4), "check": r["check"], "mismatches": r["mismatches"],
          "compare": {k: v for k, v in r.items() if k not in ("check", "mismatches")},
          "out": str(out)})
    return 0 if r["check"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
