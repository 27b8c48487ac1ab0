"""Single-process GeoPandas baseline for the straight-line nearest facility per home and category.

    python bench/baselines/geopandas_knn.py D [--sample 0.1] [--out FILE.parquet]

Per category, `sjoin_nearest` (a shapely STRtree nearest query) of the (sampled) homes against
that category's facilities. Categories without any facility get a null distance, like ours.
Timing: read_s = CSV parsing, load_s = read_s + building point geometries, compute_s = the joins
and assembling the result (what a GeoPandas user would call "the analysis").
The result goes to FILE (default D/baselines/geopandas_knn.parquet) and is checked with
compare.py; the exit status is non-zero when the check fails.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, read_csv, sample_mask  # noqa: E402
import compare  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--sample", type=float, default=1.0)
    ap.add_argument("--out")
    a = ap.parse_args(argv)
    d = Path(a.dir)
    out = Path(a.out) if a.out else d / "baselines" / "geopandas_knn.parquet"

    t0 = time.perf_counter()
    homes = read_csv(d / "homes.csv")
    fac = read_csv(d / "facilities.csv")
    cats = read_csv(d / "categories.csv")
    read_s = time.perf_counter() - t0
    homes_total = len(homes)
    homes = homes[sample_mask(len(homes), a.sample)].reset_index(drop=True)
    # No CRS: the inputs are already metric, and a projected CRS would only add checks.
    hg = gpd.GeoDataFrame(homes[["building_id"]], geometry=gpd.points_from_xy(homes.x, homes.y))
    fg = gpd.GeoDataFrame(fac[["facility_id", "category"]], geometry=gpd.points_from_xy(fac.x, fac.y))
    load_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    parts = []
    for code in cats["code"]:
        f = fg[fg["category"] == code]
        if f.empty:
            parts.append(pd.DataFrame({"building_id": hg["building_id"], "category": code,
                                       "distance_m": float("nan")}))
            continue
        j = gpd.sjoin_nearest(hg, f[["geometry"]], how="left", distance_col="distance_m")
        # Equidistant facilities yield one row each; any one of them is the answer.
        j = j[~j.index.duplicated(keep="first")]
        parts.append(pd.DataFrame({"building_id": j["building_id"].to_numpy(), "category": code,
                                   "distance_m": j["distance_m"].to_numpy()}))
    res = pd.concat(parts, ignore_index=True)
    compute_s = time.perf_counter() - t1

    out.parent.mkdir(parents=True, exist_ok=True)
    res.to_parquet(out, index=False)
    r = compare.check(d, res)
    result = {"baseline": "geopandas_knn", "rows": int(len(res)), "sample": a.sample,
              "homes": int(len(hg)), "homes_total": homes_total, "facilities": int(len(fg)),
              "categories": int(len(cats)), "read_s": round(read_s, 4), "load_s": round(load_s, 4),
              "compute_s": round(compute_s, 4), "check": r["check"], "mismatches": r["mismatches"],
              "compare": {k: v for k, v in r.items() if k not in ("check", "mismatches")},
              "out": str(out), "geopandas": gpd.__version__}
    emit(result)
    return 0 if r["check"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
