#!/usr/bin/env python3
"""The PBF reader benchmark: one command generates a synthetic .osm.pbf the size of the scale
benchmark's city (SF 1: 1,592,789 building ways with their nodes, 2,035,684 walk-edge ways), then
reads it, in the same run on the same machine, with our reader (osm/PbfElements: OSM-binary's
protobuf classes and BinaryParser, every primitive group of every block, in Spark), with Sedona
1.8.0's `osmpbf` data source, and with pyosmium (libosmium's C++ reader) beside them; checks that
the three agree on every count, and writes one JSON result to bench/results/.

    bench/pbf_read.py --repeat 3    # SF 0.1 and SF 1, three rounds (about 3 minutes on 2 cores)
    bench/pbf_read.py --sf 1        # one size, one round
    bench/pbf_read.py --sf 0.01 --skip-osmium

The file is written one primitive group per block (nodes, then ways, then relations, 8,000
elements a block, as osmium writes), a layout Sedona's reader reads whole; files are cached under
bench/data/pbf/. Each Spark reader runs in its own JVM with a local Spark of --threads threads and
aggregates every column per kind (count, tag and ref counts, coordinate sums), so that both decode
everything; the aggregates must be equal. pyosmium is installed from PyPI into
bench/data/pbf/osmium-venv on first use and counts nodes, ways and relations with a Python
callback per element. Not part of the test suite.
"""
import argparse
import importlib.metadata
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import (  # noqa: E402
    BENCH,
    ROOT,
    ensure_bench_classes,
    java_classpath,
    java_flags,
    last_json,
    log,
    machine,
    run,
)

DATA = BENCH / "data" / "pbf"
MAIN = "org.lifecircle.bench.PbfReadBench"


def java(heap):
    return ["java", *java_flags(), "-Duser.timezone=UTC", f"-Xmx{heap}", "-cp", java_classpath()]


def ensure_build():
    """The launcher classpath comes from `package`; the benchmark main from the test sources."""
    if not (ROOT / "jobs/target/launcher.classpath").exists():
        log("building the jar and its classpath (./mvnw package -DskipTests)")
        subprocess.run([str(ROOT / "mvnw"), "-B", "-q", "-DskipTests", "package"], cwd=ROOT,
                       check=True)
    ensure_bench_classes("PbfReadBench")


def extract(sf, logs):
    """The synthetic extract for a scale factor, generated once and cached with its layout."""
    name = "sf" + str(sf).replace(".", "_")
    pbf = DATA / f"{name}.osm.pbf"
    info = DATA / f"{name}.json"
    if not pbf.exists() or not info.exists():
        log(f"generating {pbf.relative_to(ROOT)}")
        text, _ = run([*java("2g"), MAIN, "generate", sf, pbf], logs / f"generate-{name}.log")
        info.write_text(json.dumps(last_json(text)) + "\n")
    return pbf, json.loads(info.read_text())


def spark_read(pbf, reader, threads, heap, logs, tag):
    text, wall = run(["/usr/bin/time", "-v", *java(heap), MAIN, "read", pbf, reader, threads],
                     logs / f"{reader}-{tag}.log")
    result = last_json(text)
    rss = [int(line.split(":")[1]) for line in text.splitlines()
           if "Maximum resident set size" in line]
    result.update(process_wall_s=round(wall, 1), peak_rss_mb=rss[0] // 1024 if rss else None)
    return result


def osmium_python():
    """A virtualenv with pyosmium from PyPI, made once under bench/data/pbf/."""
    venv = DATA / "osmium-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        log("installing pyosmium into " + str(venv.relative_to(ROOT)))
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "osmium"], check=True)
    return py


def osmium_count(path):
    """Runs inside the pyosmium venv: counts by kind, one JSON line."""
    import osmium

    class Count(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.counts = {"node": 0, "way": 0, "relation": 0}

        def node(self, n):
            self.counts["node"] += 1

        def way(self, w):
            self.counts["way"] += 1

        def relation(self, r):
            self.counts["relation"] += 1

    t0 = time.monotonic()
    handler = Count()
    handler.apply_file(path)
    seconds = time.monotonic() - t0
    version = importlib.metadata.version("osmium")
    print(json.dumps({"reader": "pyosmium", "version": version, "seconds": round(seconds, 2),
                      "counts": handler.counts}))


def check(layout, results):
    """Every reader must see the layout's counts; the two Spark readers the same aggregates."""
    expected = {"node": layout["nodes"], "way": layout["ways"], "relation": layout["relations"]}
    problems = []
    for r in results:
        counts = r["counts"] if "counts" in r else {k: v["count"] for k, v in r["kinds"].items()}
        if counts != expected:
            problems.append(f"{r['reader']} counts {counts}, the file holds {expected}")
    spark = [r for r in results if "kinds" in r]
    for r in spark[1:]:
        if r["kinds"] != spark[0]["kinds"]:
            problems.append(f"{r['reader']} aggregates {r['kinds']} differ from"
                            f" {spark[0]['reader']}'s {spark[0]['kinds']}")
    return problems


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--osmium-count":
        osmium_count(sys.argv[2])
        return
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sf", default="0.1,1", help="scale factors, comma-separated (default 0.1,1)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="local Spark threads (default: cores)")
    ap.add_argument("--heap", default="6g", help="heap of each reader's JVM (default 6g)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of runs, every reader in turn; each reader's fastest counts")
    ap.add_argument("--skip-osmium", action="store_true", help="no pyosmium floor")
    args = ap.parse_args()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    logs = BENCH / "results" / "tmp" / f"pbf_read-{stamp}"
    logs.mkdir(parents=True, exist_ok=True)
    DATA.mkdir(parents=True, exist_ok=True)
    ensure_build()
    py = None if args.skip_osmium else osmium_python()
    result = {"benchmark": "pbf_read", "started": stamp, "machine": machine(),
              "command": " ".join(sys.argv), "threads": args.threads, "repeat": args.repeat,
              "runs": []}
    failed = []
    for sf in [float(s) for s in args.sf.split(",")]:
        pbf, layout = extract(sf, logs)
        entry = {"sf": sf, "file": {**layout, "path": str(pbf.relative_to(ROOT))}, "readers": {}}
        readers = ["lifecircle", "sedona"] + ([] if py is None else ["pyosmium"])
        runs = {reader: [] for reader in readers}
        # Rounds of every reader in turn, so that a change in the machine's load falls on all.
        for i in range(args.repeat):
            for reader in readers:
                log(f"SF {sf}: {reader}, run {i + 1}")
                if reader == "pyosmium":
                    text, _ = run([py, Path(__file__).resolve(), "--osmium-count", pbf],
                                  logs / f"osmium-sf{sf}-{i + 1}.log")
                    runs[reader].append(last_json(text))
                else:
                    runs[reader].append(spark_read(pbf, reader, args.threads, args.heap, logs,
                                                   f"sf{sf}-{i + 1}"))
        for reader, results in runs.items():
            best = min(results, key=lambda r: r["seconds"])
            entry["readers"][reader] = {**best, "runs_s": [r["seconds"] for r in results]}
        problems = check(layout, [r for results in runs.values() for r in results])
        entry["check"] = "ok" if not problems else problems
        failed += problems
        ours = entry["readers"]["lifecircle"]["seconds"]
        sedona = entry["readers"]["sedona"]["seconds"]
        entry["ratios"] = {"lifecircle_vs_sedona": round(ours / sedona, 3)}
        if "pyosmium" in entry["readers"]:
            floor = entry["readers"]["pyosmium"]["seconds"]
            entry["ratios"]["lifecircle_vs_pyosmium"] = round(ours / floor, 3)
            entry["ratios"]["sedona_vs_pyosmium"] = round(sedona / floor, 3)
        log(f"SF {sf}: " + ", ".join(f"{k} {v['seconds']} s" for k, v in entry["readers"].items())
            + f"; check {entry['check']}")
        result["runs"].append(entry)
    out = BENCH / "results" / f"pbf_read-{stamp}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    log(f"result: {out}")
    print(json.dumps([{"sf": e["sf"], **{k: v["seconds"] for k, v in e["readers"].items()},
                       **e["ratios"], "check": e["check"]} for e in result["runs"]], indent=1))
    if failed:
        sys.exit("Cannot confirm the readers agree: " + "; ".join(failed))


if __name__ == "__main__":
    main()
