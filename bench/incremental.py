#!/usr/bin/env python3
"""Incremental nightly against the full nightly of the same date (issue 22).

Copies a city (its config and inputs) to a scratch folder, runs the full nightly for a first date,
drifts the inputs (facilities closed, moved and opened; buildings with more floor area; population
cells with other counts), runs
the nightly for the next date with --incremental, records each table's content hash for that date,
reruns the date with --full and compares the hashes table by table. Prints the times of both runs
(process and access stage) and writes bench/results/incremental-<city>-<time>.json.

    .venv/bin/python bench/incremental.py --city cities/demo/city.yaml --share 0.005

Stops (exit 1) when a table's content differs between the incremental and the full run.
"""
import argparse
import datetime as dt
import json
import pathlib
import random
import shutil
import subprocess
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from deltalake import DeltaTable

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import scale  # noqa: E402  (the Java flags and classpath the scale benchmark uses)

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Tables the run log and the report do not make comparable: run_log holds each run's own rows.
SKIP = {"run_log"}


def nightly(city, warehouse, date, mode, log):
    cmd = [str(ROOT / "bin/lifecircle"), "nightly", "--city", str(city), "--date", date,
           "--warehouse", str(warehouse), f"--{mode}"]
    start = time.time()
    with open(log, "w") as out:
        rc = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    if rc != 0:
        sys.exit(f"nightly {mode} {date} failed (exit {rc}), see {log}")
    return time.time() - start


def stage_seconds(warehouse, date):
    """Seconds per stage of the latest run of the date, from run_log."""
    log = DeltaTable(str(warehouse / "run_log")).to_pandas()
    log = log[(log.snapshot_date.astype(str) == date) & log.source.isna()]
    latest = log.sort_values("ended_at").run_id.iloc[-1]
    runs = log[log.run_id == latest]
    out = {}
    for _, r in runs.iterrows():
        out[r.stage] = (r.ended_at - r.started_at).total_seconds()
        if r.stage == "access":
            out["access_incremental"] = json.loads(r.metrics).get("incremental")
    return out


def hashes(city, warehouse, date):
    """Per table: the date's rows (the whole city where a table has no snapshot_date) as a row count
    and two order-free sums of row hashes, by org.lifecircle.bench.TableHashes (Spark: SF 1's
    building_access is 30 M rows)."""
    java = ["java", *scale.java_flags(), "-Xmx8g", "-Duser.timezone=UTC", "-cp",
            scale.java_classpath(), "org.lifecircle.bench.TableHashes",
            str(city), str(warehouse), date]
    out = subprocess.run(java, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def drift(paths, config, share, rnd):
    """Facilities: share closed, share moved (about 100 m), share opened; buildings: share with a
    tenth more floor area; population cells: share with other counts. Returns what changed."""
    spec = config["datasets"]["facilities"]
    fpath = paths["facilities"]
    fac = pd.read_csv(fpath, dtype=str, keep_default_na=False)
    n = max(1, round(share * len(fac)))
    picks = rnd.sample(range(len(fac)), 3 * n)
    closed, moved, copied = picks[:n], picks[n:2 * n], picks[2 * n:]
    lng, lat = spec.get("lon_column", "lng"), spec.get("lat_column", "lat")
    for i in moved:
        fac.at[i, lng] = repr(float(fac.at[i, lng]) + 0.001)
    extra = fac.iloc[copied].copy()
    id_col = spec.get("columns", {}).get("facility_id", "facility_id")
    extra[id_col] = [f"NEW{i:06d}" for i in range(len(extra))]
    extra[lat] = [repr(float(v) + 0.0008) for v in extra[lat]]
    fac = pd.concat([fac.drop(index=closed), extra], ignore_index=True)
    fac.to_csv(fpath, index=False)

    buildings = pq.read_table(paths["buildings"])
    area = buildings.column("gross_floor_area_m2").to_pylist()
    b = max(1, round(share * len(area)))
    for i in rnd.sample(range(len(area)), b):
        area[i] = None if area[i] is None else area[i] * 1.1
    index = buildings.schema.get_field_index("gross_floor_area_m2")
    buildings = buildings.set_column(
        index, buildings.schema.field(index), pa.array(area, buildings.schema.field(index).type))
    pq.write_table(buildings, paths["buildings"])

    pspec = config["datasets"]["population"]
    enc = pspec.get("encoding", "utf-8")
    pop = pd.read_csv(paths["population"], dtype=str, keep_default_na=False, encoding=enc)
    column = pspec["columns"]["pop_15_59"]
    m = max(1, round(share * len(pop)))
    for i in rnd.sample(range(len(pop)), m):
        pop.at[i, column] = str(int(float(pop.at[i, column])) + 7)
    pop.to_csv(paths["population"], index=False, encoding=enc)
    return {"facilities": len(fac), "facilities_closed": n, "facilities_moved": n,
            "facilities_opened": n, "buildings": len(area), "buildings_changed": b,
            "population_cells": len(pop), "population_cells_changed": m}


DRIFTED = ("facilities", "buildings", "population")


def stage_city(source, work):
    """The city config in work/, its drifted inputs copied to work/data and the others linked."""
    config = yaml.safe_load(source.read_text())
    data = work / "data"
    data.mkdir(parents=True)
    paths = {}
    for name, spec in config["datasets"].items():
        original = (source.parent / spec["path"]).resolve()
        target = data / original.name
        if name in DRIFTED:
            shutil.copyfile(original, target)
        else:
            target.symlink_to(original)
        spec["path"] = str(target)
        paths[name] = target
    config.pop("sample", None)  # the inputs exist: nothing to generate
    city = work / "city.yaml"
    city.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return city, config, paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--city", default="cities/demo/city.yaml")
    ap.add_argument("--share", type=float, default=0.005,
                    help="share of facilities closed, moved and opened (each), and of buildings"
                         " and population cells changed")
    ap.add_argument("--work", default="bench/data/incremental")
    ap.add_argument("--seed", type=int, default=22)
    args = ap.parse_args()
    source = (ROOT / args.city).resolve()
    code = yaml.safe_load(source.read_text())["code"]
    name = source.parent.name if source.stem == "city" else source.stem
    work = (ROOT / args.work / name).resolve()
    shutil.rmtree(work, ignore_errors=True)
    city, config, paths = stage_city(source, work)
    warehouse = work / "warehouse"
    first, second = "2026-11-01", "2026-11-02"
    scale.ensure_bench_classes("TableHashes")

    full_first = nightly(city, warehouse, first, "full", work / "first.log")
    changes = drift(paths, config, args.share, random.Random(args.seed))
    incremental = nightly(city, warehouse, second, "incremental", work / "incremental.log")
    inc_stages = stage_seconds(warehouse, second)
    inc_hashes = hashes(city, warehouse, second)
    full = nightly(city, warehouse, second, "full", work / "full.log")
    full_stages = stage_seconds(warehouse, second)
    full_hashes = hashes(city, warehouse, second)

    differ = [t for t in full_hashes if inc_hashes.get(t) != full_hashes[t]]
    result = {
        "city": str(source.relative_to(ROOT)), "code": code, "share": args.share,
        "seed": args.seed, "changes": changes,
        "seconds": {"first_full": full_first, "incremental": incremental, "full": full},
        "ratio_incremental_to_full": incremental / full,
        "stages": {"incremental": inc_stages, "full": full_stages},
        "tables": {"incremental": inc_hashes, "full": full_hashes},
        "identical": not differ, "differ": differ,
    }
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = ROOT / "bench/results" / f"incremental-{name}-{stamp}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"changes: {changes}")
    print(f"nightly: incremental {incremental:.1f} s, full {full:.1f} s"
          f" (ratio {incremental / full:.2f}); access {inc_stages.get('access', 0):.1f} s vs"
          f" {full_stages.get('access', 0):.1f} s")
    print(f"access plan: {inc_stages.get('access_incremental')}")
    for t in sorted(full_hashes):
        same = "identical" if t not in differ else "DIFFERS"
        print(f"  {t:24s} {full_hashes[t]:>60s}  {same}")
    print(f"results: {out}")
    if differ:
        sys.exit(f"tables differ between the incremental and the full run: {differ}")


if __name__ == "__main__":
    main()
