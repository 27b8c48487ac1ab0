#!/usr/bin/env python3
"""The scale benchmark: one command runs the nightly pipeline on the generated megacity at a
scale factor, then the baselines on the same data, on the same machine, in the same run, checks
each baseline's result against ours, and writes one JSON result to bench/results/.

    bench/scale.py --sf 0.1
    bench/scale.py --sf 1 --postgis-sample 0.1 --geopandas-sample 1 --pgrouting-seconds 300
    bench/scale.py --city x10 --pipeline-only     # any city under bench/cities/, no baselines

Baselines (bench/baselines/): the JTS floor (one Java process, STRtree per category, no Spark),
PostGIS KNN lateral joins in parallel sessions, GeoPandas sjoin_nearest, pgRouting
pgr_drivingDistance per facility origin, and the Delta floor (building_access's snapshot read from
Delta and written to another Delta table in a warm JVM, nothing computed: what the access stage's
output costs to keep in Delta, against the baselines' compute, which keeps its result in memory). A baseline run on a sample of homes (or origins) is
extrapolated linearly to all of them; the JSON says which. Generated inputs are cached under
bench/data/sf<N>/; the warehouse is rebuilt every run. Not part of the test suite.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_PY = ROOT / ".venv" / "bin" / "python"
DATE = "2026-11-28"
STAGE_LINE = re.compile(r"stage (\S+) finished in ([\d.]+) s: rows in (\d+), out (\d+), quarantined (\d+), "
                        r"tables \{.*?\}, spark \{(.*?)\}")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd, out_file=None, env=None):
    """Runs a command, teeing nothing: its output goes to out_file; fails loudly with the tail."""
    shown = ["<classpath>" if len(str(c)) > 500 else str(c) for c in cmd]
    log("$ " + " ".join(c for c in shown if not c.startswith("--add-opens")))
    t0 = time.monotonic()
    with open(out_file, "w", encoding="utf-8") as f:
        proc = subprocess.run([str(c) for c in cmd], stdout=f, stderr=subprocess.STDOUT, cwd=ROOT,
                              env={**os.environ, **(env or {})})
    seconds = time.monotonic() - t0
    text = Path(out_file).read_text(encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        sys.exit(f"Cannot run benchmark step: {cmd[0]} exited {proc.returncode} (see {out_file}):\n"
                 + text[-3000:])
    return text, seconds


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in output")


def java_classpath():
    cp = (ROOT / "jobs/target/launcher.classpath").read_text().strip()
    return f"{ROOT}/jobs/target/classes:{ROOT}/jobs/target/test-classes:{cp}"


def java_flags():
    """The --add-opens list bin/lifecircle passes (Spark on Java 17), read from it to stay in step."""
    text = (ROOT / "bin/lifecircle").read_text()
    return re.findall(r"^\s+(--add-opens=\S+)", text, re.M)


def require_postgres():
    """PostGIS and pgRouting come from Debian packages; say which, instead of a psql stack trace."""
    bin_dir = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
    ext = Path("/usr/share/postgresql/15/extension")
    missing = [str(p) for p in (bin_dir / "initdb", ext / "postgis.control", ext / "pgrouting.control")
               if not p.exists()]
    if missing:
        sys.exit("Cannot run baselines postgis and pgrouting: PostgreSQL 15 with PostGIS and pgRouting is"
                 " not installed; apt-get install postgresql-15-postgis-3 postgresql-15-pgrouting, or pass"
                 f" --skip postgis,pgrouting ({', '.join(missing)})")


def ensure_bench_classes(main="BaselineExport"):
    """The benchmark mains are in the test sources: compile them when missing or stale."""
    done = ROOT / f"jobs/target/test-classes/org/lifecircle/bench/{main}.class"
    sources = list((ROOT / "jobs/src").rglob("*.java"))
    if not done.exists() or any(p.stat().st_mtime > done.stat().st_mtime for p in sources):
        log("compiling the benchmark mains (./mvnw test-compile)")
        subprocess.run([str(ROOT / "mvnw"), "-B", "-q", "test-compile"], cwd=ROOT, check=True)


def pipeline_env(heap):
    """The pipeline's JVM options: -Xmx<heap>, or with --pipeline-heap auto those bin/lifecircle picks
    for the city's profile (a small city's 2 GB heap and compiler thresholds)."""
    if heap == "auto":
        return {"LIFECIRCLE_JAVA_OPTS": ""}
    return {"LIFECIRCLE_JAVA_OPTS": f"-Xmx{heap}"}


def pipeline(name, heap, logs):
    warehouse = BENCH / "data" / name / "warehouse"
    subprocess.run(["rm", "-rf", str(warehouse)], check=True)
    text, seconds = run(["/usr/bin/time", "-v", ROOT / "bin/lifecircle", "nightly", "--city",
                         BENCH / "cities" / f"{name}.yaml", "--warehouse", warehouse, "--date", DATE,
                         "--verbose"],  # the stage log lines parsed below go to stderr
                        logs / "pipeline.log", env=pipeline_env(heap))
    stages = []
    for m in STAGE_LINE.finditer(text):
        spark = dict(kv.split("=") for kv in m.group(6).split(", "))
        stages.append({"stage": m.group(1), "wall_s": float(m.group(2)), "rows_in": int(m.group(3)),
                       "rows_out": int(m.group(4)), "quarantined": int(m.group(5)),
                       **{k: float(v) for k, v in spark.items()}})
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    gen = re.search(r"generated sample inputs for \d+ in ([\d.]+) s: \{(.*?)\}", text)
    return {"stages": stages, "stages_total_s": round(sum(s["wall_s"] for s in stages), 1),
            "process_wall_s": round(seconds, 1), "peak_rss_mb": int(rss.group(1)) // 1024 if rss else None,
            "heap": heap, "generate_s": float(gen.group(1)) if gen else None,
            "inputs": dict(kv.split("=") for kv in gen.group(2).split(", ")) if gen else None,
            "warehouse": str(warehouse)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    which = ap.add_mutually_exclusive_group(required=True)
    which.add_argument("--sf", help="scale factor: 0.01, 0.1 or 1 (bench/cities/sf<N>.yaml)")
    which.add_argument("--city", help="another city under bench/cities/ by name, e.g. x10")
    ap.add_argument("--pipeline-only", action="store_true", help="the pipeline alone, no baselines")
    ap.add_argument("--heap", default="14g", help="JVM heap of the pipeline and the exports (default 14g)")
    ap.add_argument("--pipeline-heap", help="the pipeline's heap if not --heap; auto: bin/lifecircle's choice")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="JTS floor threads (default: cores)")
    ap.add_argument("--postgis-sample", type=float, default=1.0, help="share of homes PostGIS computes")
    ap.add_argument("--geopandas-sample", type=float, default=1.0, help="share of homes GeoPandas computes")
    ap.add_argument("--pgrouting-seconds", type=int, default=300, help="pgRouting time box")
    ap.add_argument("--origins", type=int, default=5, help="sampled facility origins per category")
    ap.add_argument("--skip", default="", help="comma-separated baselines to skip: jts,postgis,geopandas,delta_floor,pgrouting")
    args = ap.parse_args()
    name = args.city or "sf" + args.sf.replace(".", "_")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    logs = BENCH / "results" / "tmp" / f"{name}-{stamp}"
    logs.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    result = {"scale_factor": float(args.sf) if args.sf else None, "city": f"bench/cities/{name}.yaml", "started": stamp,
              "machine": machine(), "command": " ".join(sys.argv)}

    if not args.pipeline_only:
        if not {"postgis", "pgrouting"} <= skip:
            require_postgres()
        ensure_bench_classes()
    log(f"pipeline of {name}")
    result["pipeline"] = pipeline(name, args.pipeline_heap or args.heap, logs)
    if not args.pipeline_only:
        run_baselines(args, name, result, logs, skip)
    result["ratios"] = ratios(result)
    out = BENCH / "results" / f"{name}-{stamp}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"result: {out}")
    print(json.dumps(result["ratios"], indent=1))


def run_baselines(args, name, result, logs, skip):
    """Exports the run's inputs and results, then runs and checks every baseline not skipped."""
    export = BENCH / "data" / name / "baseline"
    java = ["java", *java_flags(), "-Duser.timezone=UTC", "-cp", java_classpath()]
    log("export of the baselines' inputs and our results")
    _, result["export_s"] = run([*java, f"-Xmx{args.heap}", "org.lifecircle.bench.BaselineExport",
                                 BENCH / "cities" / f"{name}.yaml", result["pipeline"]["warehouse"], DATE, export,
                                 args.origins], logs / "export.log")
    with open(export / "facilities.csv", encoding="utf-8") as f:
        result["facilities"] = sum(1 for _ in f) - 1  # the network stage's origins, header aside
    result["access_ours"] = json.loads((export / "access_ours.json").read_text())
    if (export / "network_ours.json").exists():
        result["network_ours"] = json.loads((export / "network_ours.json").read_text())
    baselines = {}
    if "jts" not in skip:
        text, _ = run([*java, "-Xmx8g", "org.lifecircle.bench.JtsNearestFloor", export, args.threads],
                      logs / "jts.log")
        floor = last_json(text)
        check, _ = run([VENV_PY, BENCH / "baselines/compare.py", export, export / "access_floor.csv"],
                       logs / "jts-check.log")
        floor.update(check=last_json(check))
        baselines["jts_floor"] = floor
    if "postgis" not in skip:
        text, _ = run([VENV_PY, BENCH / "baselines/postgis_knn.py", export, "--sample", args.postgis_sample,
                       "--sessions", os.cpu_count()], logs / "postgis.log")
        baselines["postgis"] = last_json(text)
    if "geopandas" not in skip:
        text, _ = run([VENV_PY, BENCH / "baselines/geopandas_knn.py", export, "--sample", args.geopandas_sample],
                      logs / "geopandas.log")
        baselines["geopandas"] = last_json(text)
    if "delta_floor" not in skip:
        baselines["delta_floor"] = delta_floor(name, result["pipeline"]["warehouse"], logs)
    if "pgrouting" not in skip and (export / "origins.csv").exists():
        text, _ = run([VENV_PY, BENCH / "baselines/pgrouting.py", export, "--max-seconds", args.pgrouting_seconds],
                      logs / "pgrouting.log")
        baselines["pgrouting"] = last_json(text)
    result["baselines"] = baselines


def delta_floor(name, warehouse, logs, rounds=5):
    """The least any stage that writes building_access to Delta can cost: the snapshot's rows read
    from Delta and written to a scratch Delta table, nothing computed (WarmStageBench), in a JVM
    started with the options bin/lifecircle picks for the city; the best of warm rounds."""
    city = BENCH / "cities" / f"{name}.yaml"
    cp = java_classpath()
    options, _ = run(["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp, "org.lifecircle.cli.JvmOptions",
                      "access", "--city", city, "--warehouse", warehouse, "--date", DATE], logs / "delta_floor_jvm.log")
    jvm = options.strip().splitlines()[-1].split() if options.strip() else []
    text, _ = run(["java", *java_flags(), *jvm, "-Duser.timezone=UTC", "-cp", cp, "org.lifecircle.bench.WarmStageBench",
                   "access", city, warehouse, DATE, "building_access", "0", str(rounds)], logs / "delta_floor.log",
                  env={"DO_NOT_TRACK": "true", "SPARK_LOCAL_IP": "127.0.0.1"})
    out = last_json(text)
    return {"baseline": "delta_floor", "rows": out["rows"], "jvm_options": " ".join(jvm),
            "read_s": out["delta_read_s"], "copy_s": out["delta_copy_s"],
            "read_best_s": min(out["delta_read_s"]), "copy_best_s": min(out["delta_copy_s"])}


def stage(result, name):
    return next((s for s in result["pipeline"]["stages"] if s["stage"] == name), None)


def ratios(result):
    """Ours / baseline (below 1: we are faster) on the same work, baselines extrapolated to all rows."""
    out = {"pipeline_total_s": result["pipeline"]["stages_total_s"]}
    if "baselines" not in result:
        return out
    access = stage(result, "access")
    # Since one stage writes building_access (access and network merged), the access stage's time
    # includes the walk-network search when the city has one: the access ratios are then upper
    # bounds on the straight-line part, and the network ratio one on the network part.
    merged = stage(result, "network") is None
    out["access_stage_includes_network"] = merged
    b = result["baselines"]
    if access:
        ours = access["wall_s"]
        transform = result["access_ours"]["transform_count_s"]
        if "jts_floor" in b:
            floor = b["jts_floor"]["index_s"] + b["jts_floor"]["compute_s"]
            out["access_vs_jts_floor"] = round(ours / floor, 3)
            out["access_transform_vs_jts_floor"] = round(transform / floor, 3)
        for key in ("postgis", "geopandas"):
            if key in b:
                full = b[key]["compute_s"] / b[key]["sample"]
                out[f"access_vs_{key}"] = round(ours / full, 3)
                if "delta_floor" in b:
                    # Above 1: copying the result alone through Delta takes longer than the baseline's
                    # compute, so no stage that writes it can beat the baseline by this measure.
                    out[f"delta_copy_vs_{key}"] = round(b["delta_floor"]["copy_best_s"] / full, 3)
        if "delta_floor" in b:
            out["access_vs_delta_copy"] = round(ours / b["delta_floor"]["copy_best_s"], 3)
    network = access if merged else stage(result, "network")
    if network and "pgrouting" in b:
        facilities = result.get("facilities")
        if facilities:
            per_origin = network["wall_s"] / facilities
            out["network_stage_s_per_origin"] = per_origin
            out["network_vs_pgrouting_per_origin"] = round(per_origin / b["pgrouting"]["seconds_per_origin"], 4)
    return out


def machine():
    cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    return {"cores": int(cpu), "memory_gb": round(int(mem.group(1)) / 2**20, 1), "java": java}


if __name__ == "__main__":
    main()
