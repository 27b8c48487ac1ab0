#!/usr/bin/env python3
"""What the walk network changes: one city's nightly on its walk network, again without it (the
product's fallback, straight line x the city's detour_factor) and again in a plain straight line
(detour_factor 1), and per category how many target residents each basis covers, leaves in
capacity gaps and newly covers with the recommended sites.

    .venv/bin/python bench/basis_compare.py cities/demo/city.yaml cities/osm-sample/city.yaml

Each city runs three times on fresh warehouses under bench/data/basis/ with bin/lifecircle (build
the jar first); the two configs without a walk network are written beside the city's own (its
relative paths hold) and removed after. The runs' straight-line distances must agree row for row. Prints one table per city and writes bench/results/basis-<city code>-<stamp>.json.
Issue 21 asks for these figures "printed and in docs/": docs/BENCHMARKS.md quotes them.
"""
import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from deltalake import DeltaTable

ROOT = Path(__file__).resolve().parent.parent
DATE = "2026-12-05"


def nightly(config, warehouse):
    shutil.rmtree(warehouse, ignore_errors=True)
    proc = subprocess.run([str(ROOT / "bin/lifecircle"), "nightly", "--city", str(config), "--warehouse",
                           str(warehouse), "--date", DATE], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"Cannot run nightly: city {config} exited {proc.returncode}:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")


def table(warehouse, name):
    return DeltaTable(str(warehouse / name)).to_pyarrow_table().to_pylist()


KEYS = ("target_residents", "covered", "capacity_gaps", "capacity_gap_uncovered", "shortfall_places", "sites",
        "newly_covered")


def figures(warehouse, access):
    """Per category (KEYS), from the run's building_access rows and its other tables; and the bases
    its building_access is on."""
    out = {}

    def row(category):
        return out.setdefault(category, dict.fromkeys(KEYS, 0))
    bases = set()
    for r in access:
        f = row(r["category"])
        f["target_residents"] += r["target_residents"]
        f["covered"] += r["target_residents"] if r["covered"] else 0
        bases.add(r["distance_basis"])
    for r in table(warehouse, "coverage_gaps"):
        if r["gap_kind"] == "capacity":
            f = row(r["category"])
            f["capacity_gaps"] += 1
            f["capacity_gap_uncovered"] += r["target_residents_uncovered"]
            f["shortfall_places"] += r["shortfall_places"] or 0.0
    for r in table(warehouse, "gap_fill_candidates"):
        f = row(r["category"])
        f["sites"] += 1
        f["newly_covered"] += r["newly_covered_target_residents"]
    return out, sorted(bases)


def variant(config, spec, name, change):
    """A copy of the city config beside it (its relative paths hold) with one change."""
    copy = json.loads(json.dumps(spec))
    change(copy)
    path = config.with_name(f".{name}-{config.name}")
    path.write_text(yaml.safe_dump(copy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def without_walk(detour):
    def change(spec):
        del spec["datasets"]["walk_network"]
        if detour is not None:
            spec.setdefault("limits", {})["detour_factor"] = detour
    return change


def check_runs(rows):
    """The runs (building_access rows by basis) must have seen one city, and a walk is never shorter
    than the straight line."""
    # Every run finds each home's nearest facility in a straight line the same way: the distances
    # must agree row for row.
    bases = list(rows)
    distances = {(r["building_id"], r["category"]): r["distance_m"] for r in rows["network"]}
    for basis in bases:
        differing = [r for r in rows[basis] if distances.get((r["building_id"], r["category"]), "absent") != r["distance_m"]]
        if differing or len(rows[basis]) != len(distances):
            sys.exit(f"Cannot compare bases: the {basis} run's building_access has {len(rows[basis])} rows and"
                     f" {len(differing)} distances unlike the network run's {len(distances)} rows")
    # Same thresholds and walkers on every basis, and no walk shorter than the straight line: a home
    # covered on the walk is covered in a plain straight line (the run at detour factor 1).
    line = {(r["building_id"], r["category"]) for r in rows["straight_line"] if r["covered"]}
    walk_only = [k for k in ((r["building_id"], r["category"]) for r in rows["network"] if r["covered"]) if k not in line]
    if walk_only:
        sys.exit(f"Cannot compare bases: {len(walk_only)} homes are covered on the walk but not in a straight line"
                 f" ({walk_only[0]})")


def compare(config):
    config = (ROOT / config).resolve() if not Path(config).is_absolute() else Path(config)
    spec = yaml.safe_load(config.read_text(encoding="utf-8"))
    if "walk_network" not in spec.get("datasets", {}):
        sys.exit(f"Cannot compare bases: city {config} has no walk_network dataset")
    detour = (spec.get("limits") or {}).get("detour_factor", 1.3)
    runs = {"network": config,
            "straight_line_detour": variant(config, spec, "detour", without_walk(None)),
            "straight_line": variant(config, spec, "straight-line", without_walk(1.0))}
    base = ROOT / "bench" / "data" / "basis" / str(spec["code"])
    try:
        for basis, path in runs.items():
            nightly(path, base / basis)
    finally:
        for basis, path in runs.items():
            if path != config:
                path.unlink()
    access = {basis: table(base / basis, "building_access") for basis in runs}
    check_runs(access)
    by_basis = {}
    for basis in runs:
        found, bases = figures(base / basis, access[basis])
        if bases != ["network" if basis == "network" else "straight_line_detour"]:
            sys.exit(f"Cannot compare bases: the {basis} run's building_access is on {bases}")
        by_basis[basis] = found
    categories = sorted(set().union(*by_basis.values()))
    return {"city": str(spec["code"]), "name": spec.get("name"), "config": str(config.relative_to(ROOT)),
            "detour_factor": detour,
            "categories": {c: {b: by_basis[b].get(c) for b in runs} for c in categories}}


SHORT = {"straight_line": "line", "straight_line_detour": "detour", "network": "walk"}


def show(result):
    bases = list(SHORT)
    print(f"\n{result['name']} ({result['city']}, {result['config']}): target residents covered, left in"
          f" capacity gaps and newly covered by the recommended sites, on each basis (line = straight line,"
          f" detour = straight line x {result['detour_factor']}, walk = walk network)")
    head = "/".join(SHORT[b] for b in bases)
    print(f"{'category':20s} {'target':>9s} {'covered ' + head:>32s} {'in capacity gaps ' + head:>34s}"
          f" {'newly covered ' + head:>32s}")
    rows = list(result["categories"].items())
    total = {b: {k: sum((v[b] or {}).get(k, 0) for _, v in rows) for k in KEYS} for b in bases}
    for c, v in rows + [("all categories", total)]:
        def cells(key):
            return "/".join(f"{(v[b] or {}).get(key, 0):,}" for b in bases)
        target = (v["network"] or {}).get("target_residents", 0)
        print(f"{c:20s} {target:9,d} {cells('covered'):>32s} {cells('capacity_gap_uncovered'):>34s}"
              f" {cells('newly_covered'):>32s}")
    print("recommended sites " + ", ".join(f"{total[b]['sites']} ({SHORT[b]})" for b in bases)
          + "; capacity gaps " + ", ".join(f"{total[b]['capacity_gaps']} ({SHORT[b]})" for b in bases)
          + "; shortfall places " + ", ".join(f"{total[b]['shortfall_places']:,.0f} ({SHORT[b]})" for b in bases))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cities", nargs="+", help="city configs that have a walk_network dataset")
    args = ap.parse_args()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for config in args.cities:
        result = compare(config)
        show(result)
        out = ROOT / "bench" / "results" / f"basis-{result['city']}-{stamp}.json"
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"result: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
