#!/usr/bin/env bash
# Runs the nightly pipeline on a benchmark city and writes a JSON result: per stage wall time,
# rows in/out, Spark jobs, executor CPU and shuffle bytes (from the stage log lines), plus the
# process's peak RSS and wall time (GNU time). Generated inputs are cached under bench/data/.
#   bench/run.sh x10            # bench/cities/x10.yaml
# Not part of the test suite.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: bench/run.sh <city name under bench/cities>}
config="$here/cities/$name.yaml"
warehouse="$here/data/$name/warehouse"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
log="$here/results/$name-$stamp.log"
rm -rf "$warehouse"
/usr/bin/time -v "$here/../bin/lifecircle" nightly --city "$config" --warehouse "$warehouse" \
  --date 2026-11-28 > "$log" 2>&1
python3 - "$log" "$here/results/$name-$stamp.json" <<'PY'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
stages = []
for m in re.finditer(r"stage (\S+) finished in ([\d.]+) s: rows in (\d+), out (\d+), quarantined (\d+), "
                     r"tables \{.*?\}, spark \{(.*?)\}", text):
    spark = dict(kv.split("=") for kv in m.group(6).split(", "))
    stages.append({"stage": m.group(1), "wall_s": float(m.group(2)), "rows_in": int(m.group(3)),
                   "rows_out": int(m.group(4)), "quarantined": int(m.group(5)),
                   **{k: float(v) for k, v in spark.items()}})
rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", text)
gen = re.search(r"generated sample inputs for \d+ in ([\d.]+) s", text)
out = {"log": sys.argv[1], "stages": stages,
       "generate_s": float(gen.group(1)) if gen else 0.0,
       "peak_rss_mb": int(rss.group(1)) // 1024 if rss else None,
       "process_wall": wall.group(1) if wall else None}
json.dump(out, open(sys.argv[2], "w"), indent=1)
print(json.dumps(out, indent=1))
PY
