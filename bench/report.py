#!/usr/bin/env python3
"""Turns scale-benchmark results (bench/scale.py) into the markdown tables of docs/BENCHMARKS.md
and a plot of stage time versus scale factor (docs/bench-scale.png).

    .venv/bin/python bench/report.py bench/results/sf0_01-*.json bench/results/sf0_1-*.json bench/results/sf1-*.json
"""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def fmt(v, digits=1):
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return f"{v:,}"


def stage_table(r):
    p = r["pipeline"]
    lines = [f"SF {r['scale_factor']:g} (`{r['command']}`, {r['started']}): inputs {p['inputs']}; "
             f"process wall {fmt(p['process_wall_s'])} s, peak RSS {fmt(p['peak_rss_mb'])} MB, heap {p['heap']}.",
             "",
             "| stage | wall s | process CPU s | executor CPU s | rows in | rows out | peak heap MB | shuffle write MB | Spark jobs |",
             "|---|---|---|---|---|---|---|---|---|"]
    for s in p["stages"]:
        lines.append(f"| {s['stage']} | {fmt(s['wall_s'])} | {fmt(s.get('process_cpu_s'))} | "
                     f"{fmt(s.get('executor_cpu_s'))} | {fmt(s['rows_in'])} | {fmt(s['rows_out'])} | "
                     f"{fmt(int(s['jvm_heap_peak_mb'])) if 'jvm_heap_peak_mb' in s else ''} | "
                     f"{fmt(s.get('shuffle_write_bytes', 0) / 2**20)} | {fmt(int(s.get('spark_jobs', 0)))} |")
    lines.append(f"| **total** | **{fmt(p['stages_total_s'])}** | | | | | | | |")
    return "\n".join(lines)


def baseline_table(results):
    lines = ["| SF | work | ours | baseline | baseline time | ratio ours / baseline | check |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        sf = f"{r['scale_factor']:g}"
        access = next((s for s in r["pipeline"]["stages"] if s["stage"] == "access"), None)
        b = r["baselines"]
        transform = r["access_ours"]["transform_count_s"]
        if "jts_floor" in b:
            f = b["jts_floor"]
            t = f["index_s"] + f["compute_s"]
            lines.append(f"| {sf} | access, stage (read + compute + Delta write) | {fmt(access['wall_s'])} s | "
                         f"JTS floor, {f['threads']} threads (index + compute) | {fmt(t)} s | "
                         f"{access['wall_s'] / t:.2f} | {f['check']['check']} |")
            lines.append(f"| {sf} | access, transform only (counted, not written) | {fmt(transform)} s | "
                         f"JTS floor | {fmt(t)} s | {transform / t:.2f} | |")
        for key, label in (("postgis", "PostGIS KNN lateral"), ("geopandas", "GeoPandas sjoin_nearest")):
            if key in b:
                x = b[key]
                full = x["compute_s"] / x["sample"]
                note = "" if x["sample"] >= 1 else f", {x['sample']:.0%} sample extrapolated"
                lines.append(f"| {sf} | access, stage | {fmt(access['wall_s'])} s | {label}{note} | {fmt(full)} s | "
                             f"{access['wall_s'] / full:.2f} | {x['check']} |")
        if "delta_floor" in b:
            x = b["delta_floor"]
            lines.append(f"| {sf} | access, stage | {fmt(access['wall_s'])} s | Delta floor: its output read and written"
                         f" back, nothing computed (best of {len(x['copy_s'])} rounds in one JVM) | {fmt(x['copy_best_s'])} s | "
                         f"{access['wall_s'] / x['copy_best_s']:.2f} | |")
        if "pgrouting" in b and "network_stage_s_per_origin" in r["ratios"]:
            x = b["pgrouting"]
            ours = r["ratios"]["network_stage_s_per_origin"]
            lines.append(f"| {sf} | network, stage s per facility origin | {ours * 1000:.2f} ms | "
                         f"pgr_drivingDistance, {x['origins_done']} origins | {x['seconds_per_origin'] * 1000:.1f} ms | "
                         f"{ours / x['seconds_per_origin']:.4f} | {x['check']} |")
    return "\n".join(lines)


def plot(results, out):
    results = sorted(results, key=lambda r: r["scale_factor"])
    sfs = [r["scale_factor"] for r in results]
    names = [s["stage"] for s in results[-1]["pipeline"]["stages"]]
    fig, ax = plt.subplots(figsize=(8, 5))
    for name in names:
        ys = [next((s["wall_s"] for s in r["pipeline"]["stages"] if s["stage"] == name), None) for r in results]
        ax.plot(sfs, ys, marker="o", label=name)
    ax.plot(sfs, [r["pipeline"]["stages_total_s"] for r in results], marker="s", color="black", linewidth=2,
            label="total")
    # Slope 1 through the largest run: any stage flatter than it grows less than linearly.
    base = results[-1]["pipeline"]["stages_total_s"] / sfs[-1]
    ax.plot(sfs, [base * s for s in sfs], linestyle=":", color="grey", label="linear (slope 1) through SF 1 total")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("scale factor (SF 1 = 1.5 M buildings, 20 M residents)")
    ax.set_ylabel("wall seconds, 2 cores")
    ax.set_title("Nightly pipeline: stage time versus scale factor")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main():
    results = [json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[1:]]
    results.sort(key=lambda r: r["scale_factor"])
    for r in results:
        print(stage_table(r))
        print()
    print(baseline_table(results))
    if len(results) > 1:
        plot(results, ROOT / "docs" / "bench-scale.png")
        print("\nplot: docs/bench-scale.png")


if __name__ == "__main__":
    main()
