#!/usr/bin/env python3
"""Spark profiles side by side: the nightly of one city with ``--spark-profile large`` (Spark's
defaults) and ``small`` (no code generation or adaptive execution, few shuffle partitions; and
the JVM options bin/lifecircle starts each with, SparkSizing.jvmOptions: none for large), one
after the other on the same inputs, each into a fresh warehouse. Reports per profile the process
wall time, CPU (user + sys), peak RSS, the stages' seconds and Spark jobs (from the run's log),
and checks that both wrote the same tables (a content hash per table, as the cluster test
compares a cluster run with a local one). Exits 1 when a table differs.

    bench/profiles.py                                   # the demo city
    bench/profiles.py --city bench/cities/sf0_01.yaml --rounds 2

Sample inputs are generated before the first timed run, so no run pays for them. Not part of the
test suite; results go to bench/results/profiles-<city>-<time>.json.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "airflow" / "tests"))
from lifecircle_testlib import table_hashes  # noqa: E402

DATE = "2026-11-28"
SPARK_JOBS = re.compile(r"stage (\S+) finished in [\d.]+ s: .*?spark \{spark_jobs=(\d+), spark_tasks=(\d+)")
STAGE_ROW = re.compile(r"^(\S+)\s+([\d.]+)\s+\d+\s+\d+\s+\d+$", re.M)


# Sums of doubles added in another order (other partitions, interpreted instead of generated code)
# differ in their last bits: a value can land on either side of the 12-significant-digit rounding
# the content hash uses. Tables whose hashes differ are compared again row by row, doubles within
# this relative difference, everything else exactly.
RELATIVE = 1e-9


def close_enough(a: Path, b: Path) -> str | None:
    """None when both tables hold the same rows (doubles within RELATIVE), else what differs."""
    import numpy as np
    from deltalake import DeltaTable

    from lifecircle_testlib import VOLATILE_COLUMNS

    x, y = (DeltaTable(str(p)).to_pandas() for p in (a, b))
    if len(x) != len(y) or set(x.columns) != set(y.columns):
        return f"rows {len(x)} vs {len(y)}, columns differ: {set(x.columns) ^ set(y.columns)}"
    cols = sorted(c for c in x.columns if c not in VOLATILE_COLUMNS)
    floats = [c for c in cols if x[c].dtype.kind == "f"]
    keys = [c for c in cols if c not in floats]
    def text(v):
        return v.hex() if isinstance(v, bytes | bytearray) else str(v)

    x, y = (t[cols].assign(**{c: t[c].map(text) for c in keys})
            .sort_values(keys + floats, ignore_index=True) for t in (x, y))
    if not x[keys].equals(y[keys]):
        return "rows differ in non-double columns"
    worst = 0.0
    for c in floats:
        u, v = x[c].to_numpy(), y[c].to_numpy()
        if not np.array_equal(np.isnan(u), np.isnan(v)):
            return f"{c}: nulls differ"
        ok = ~np.isnan(u)
        rel = np.abs(u[ok] - v[ok]) / np.maximum(np.abs(u[ok]), 1e-9)
        worst = max(worst, float(rel.max(initial=0.0)))
        if worst > RELATIVE:
            return f"{c}: relative difference {worst:.3g}"
    return None


def timed_nightly(city: Path, warehouse: Path, profile: str, heap: str | None) -> dict:
    shutil.rmtree(warehouse, ignore_errors=True)
    cmd = ["/usr/bin/time", "-v", str(ROOT / "bin/lifecircle"), "nightly", "--city", str(city),
           "--warehouse", str(warehouse), "--date", DATE, "--spark-profile", profile]
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "LIFECIRCLE_JAVA_OPTS"}
    if heap:
        env["LIFECIRCLE_JAVA_OPTS"] = f"-Xmx{heap}"
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"Cannot run nightly with profile {profile}: exit {proc.returncode}\n"
                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    err = proc.stderr
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    log = Path(re.search(r"^log: (\S+)", proc.stdout, re.M).group(1)).read_text(encoding="utf-8")
    jobs = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in SPARK_JOBS.finditer(log)}
    stages = {m.group(1): float(m.group(2)) for m in STAGE_ROW.finditer(proc.stdout)}
    header = proc.stdout.splitlines()[0]
    return {"profile": profile, "process_wall_s": round(wall, 1), "cpu_s": round(user + system, 1),
            "peak_rss_mb": rss_kb // 1024, "stages_s": round(sum(stages.values()), 1),
            "spark_jobs": sum(j for j, _ in jobs.values()),
            "spark_tasks": sum(t for _, t in jobs.values()),
            "stages": {s: {"s": stages.get(s), "jobs": jobs.get(s, (None,))[0]} for s in stages},
            "header": header}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--city", default=str(ROOT / "cities/demo/city.yaml"))
    ap.add_argument("--rounds", type=int, default=1, help="large-then-small pairs (default 1)")
    ap.add_argument("--heap", default=None,
                    help="driver heap of every run (default: what bin/lifecircle picks for the"
                         " profile: SparkSizing.jvmOptions for small, the JVM's for large)")
    ap.add_argument("--work", default="/tmp/lifecircle-profiles", help="warehouses go here")
    args = ap.parse_args()
    city = Path(args.city).resolve()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    # Inputs first (a sample city's are generated when missing), so that no timed run pays for them.
    subprocess.run([str(ROOT / "bin/lifecircle"), "generate", "--city", str(city)], check=True,
                   capture_output=True)
    runs = []
    for r in range(args.rounds):
        for profile in ("large", "small"):
            res = timed_nightly(city, work / f"wh-{profile}", profile, args.heap)
            res["round"] = r + 1
            runs.append(res)
            print(f"round {r + 1} {profile:5s}: process {res['process_wall_s']:6.1f} s, "
                  f"stages {res['stages_s']:6.1f} s, CPU {res['cpu_s']:6.1f} s, "
                  f"RSS {res['peak_rss_mb']:5d} MB, {res['spark_jobs']} jobs, "
                  f"{res['spark_tasks']} tasks", flush=True)
    large, small = table_hashes(work / "wh-large"), table_hashes(work / "wh-small")
    hashed_apart = sorted(t for t in set(large) | set(small) if large.get(t) != small.get(t))
    closeness = {t: close_enough(work / "wh-large" / t, work / "wh-small" / t)
                 for t in hashed_apart}
    differ = sorted(t for t, why in closeness.items() if why is not None)
    result = {"city": str(city.relative_to(ROOT)) if city.is_relative_to(ROOT) else str(city),
              "command": " ".join(sys.argv), "started": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
              "runs": runs, "tables": len(large), "tables_hashed_apart": hashed_apart,
              "tables_differ": differ, "closeness": closeness}
    out = ROOT / "bench/results" / f"profiles-{city.parent.name}-{city.stem}-{result['started']}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(large)} tables compared: "
          + (f"DIFFER {differ}: {closeness}" if differ
             else f"identical, but for doubles within {RELATIVE:g} relative in {hashed_apart}"
             if hashed_apart else "all identical"))
    print(f"result: {out}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
