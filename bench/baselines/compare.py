"""Checks a baseline's nearest-facility distances against our access result.

    python bench/baselines/compare.py D BASELINE_FILE      # .csv (headered or not) or .parquet

The baseline may cover a sample of homes; the check is restricted to the homes it covered, and
for those homes:
  * every (building_id, category) the baseline reports must exist in ours, at most once;
  * every key where ours has a distance must be in the baseline (a baseline may leave out
    categories without any facility, or report them with a null distance: both count as null);
  * distances must agree within `tol` metres; facility ids are not compared because exact ties
    may legitimately pick different facilities;
  * null in ours <=> null (or absent) in the baseline.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds

KEYS = ["building_id", "category"]


def read_ours(d: Path) -> pd.DataFrame:
    # pyarrow's dataset reader skips Spark's _SUCCESS and hidden .crc files.
    t = ds.dataset(Path(d) / "access_ours", format="parquet").to_table(
        columns=["building_id", "category", "distance_m"])
    df = t.to_pandas()
    df["building_id"] = df["building_id"].astype(str)
    df["category"] = df["category"].astype(str)
    return df


def read_baseline(path: Path) -> pd.DataFrame:
    path = Path(path)
    if path.suffix == ".parquet" or path.is_dir():
        df = pd.read_parquet(path, columns=["building_id", "category", "distance_m"])
    else:
        with path.open() as f:
            first = f.readline()
        header = 0 if first.startswith("building_id") else None
        df = pd.read_csv(path, header=header, names=["building_id", "category", "distance_m"],
                         dtype={"building_id": str, "category": str, "distance_m": "float64"},
                         keep_default_na=False, na_values=[""])
    return df


def compare(ours: pd.DataFrame, base: pd.DataFrame, tol: float = 1e-3, examples: int = 5) -> dict:
    base = base[KEYS + ["distance_m"]].copy()
    dup_base = int(base.duplicated(KEYS).sum())
    homes = pd.Index(base["building_id"].unique())
    mine = ours[ours["building_id"].isin(homes)]
    dup_ours = int(mine.duplicated(KEYS).sum())
    m = mine.merge(base.drop_duplicates(KEYS), on=KEYS, how="outer", suffixes=("_ours", "_base"),
                   indicator=True)
    only_base = m["_merge"] == "right_only"
    only_ours = m["_merge"] == "left_only"
    both = m["_merge"] == "both"
    d_o, d_b = m["distance_m_ours"], m["distance_m_base"]
    missing_in_ours = int(only_base.sum())
    # Leaving out a key is fine only where ours has no facility either.
    missing_in_baseline = int((only_ours & d_o.notna()).sum())
    null_mismatch = int((both & (d_o.isna() != d_b.isna())).sum())
    diff = (d_o - d_b).abs()
    dist_mismatch = int((both & d_o.notna() & d_b.notna() & ~(diff <= tol)).sum())
    bad = only_base | (only_ours & d_o.notna()) | (both & (d_o.isna() != d_b.isna())) | \
          (both & d_o.notna() & d_b.notna() & ~(diff <= tol))
    mismatches = missing_in_ours + missing_in_baseline + null_mismatch + dist_mismatch + dup_base + dup_ours
    max_diff = diff[both].max()
    return {
        "check": "ok" if mismatches == 0 else "failed",
        "mismatches": mismatches,
        "compared": int(both.sum()),
        "baseline_rows": int(len(base)),
        "homes": int(len(homes)),
        "missing_in_ours": missing_in_ours,
        "missing_in_baseline": missing_in_baseline,
        "null_mismatch": null_mismatch,
        "distance_mismatch": dist_mismatch,
        "duplicate_keys_baseline": dup_base,
        "duplicate_keys_ours": dup_ours,
        "max_abs_diff_m": None if pd.isna(max_diff) else float(max_diff),
        "examples": m.loc[bad, KEYS + ["distance_m_ours", "distance_m_base"]].head(examples)
                     .replace({np.nan: None}).to_dict("records"),
    }


def check(d: Path, base: pd.DataFrame, tol: float = 1e-3) -> dict:
    return compare(read_ours(d), base, tol)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("baseline")
    ap.add_argument("--tol", type=float, default=1e-3)
    a = ap.parse_args(argv)
    r = check(Path(a.dir), read_baseline(Path(a.baseline)), a.tol)
    print(json.dumps(r))
    return 0 if r["check"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
