#!/usr/bin/env python3
"""Where a run's Spark jobs go, from its Spark event log: jobs and the time Spark was busy per
pipeline stage (job descriptions name the stage), the most frequent kinds of job (description and
call site), and task deserialisation against run time.

    LIFECIRCLE_JAVA_OPTS="-Dspark.eventLog.enabled=true -Dspark.eventLog.dir=file:///tmp/ev" \\
        bin/lifecircle nightly --city cities/demo/city.yaml --warehouse /tmp/w --date 2026-11-28
    bench/spark_jobs.py /tmp/ev/local-*            # add --top 40 for more kinds

Note that LIFECIRCLE_JAVA_OPTS replaces the small profile's JVM options: add them to it (they are
printed by `java -cp ... org.lifecircle.cli.JvmOptions <the same arguments>`) to time a small run.
The event log's JSON is parsed with the standard library (one event per line).
"""
import argparse
import collections
import json


def stage_of(description: str) -> str:
    """'lifecircle 990101/2026-11-28/access' -> access; ingest's jobs say 'ingest <dataset>'."""
    text = description
    while text.startswith("Delta: "):
        text = text.removeprefix("Delta: ")
    if text.startswith("lifecircle "):
        return text.split("/")[-1].split(":")[0].split(" ")[0]
    if text.startswith("ingest"):
        return "ingest"
    return "(outside stages)"


def delta_operation(description: str) -> str:
    """'Delta: ingest write x: Compute snapshot for version: 0' -> the operation, no version."""
    if not description.startswith("Delta: "):
        return ""
    text = description
    while text.startswith("Delta: "):
        text = text.removeprefix("Delta: ")
    operation = text.split(": ", 1)[-1]
    return operation.rsplit(": ", 1)[0] if operation.rsplit(": ", 1)[-1].isdigit() else operation


def busy_seconds(intervals):
    """Seconds covered by the union of (start, end) intervals in milliseconds."""
    total, current = 0, None
    for start, end in sorted(intervals):
        if current and start <= current[1]:
            current[1] = max(current[1], end)
        else:
            if current:
                total += current[1] - current[0]
            current = [start, end]
    return (total + (current[1] - current[0] if current else 0)) / 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("event_log")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    jobs, tasks, deserialise_ms, run_ms = {}, 0, 0, 0
    with open(args.event_log, encoding="utf-8") as f:
        for line in f:
            event = json.loads(line)
            kind = event["Event"]
            if kind == "SparkListenerJobStart":
                props = event.get("Properties") or {}
                stages = event["Stage Infos"]
                jobs[event["Job ID"]] = {
                    "start": event["Submission Time"],
                    "description": props.get("spark.job.description", ""),
                    "site": stages[-1]["Stage Name"] if stages else "-"}
            elif kind == "SparkListenerJobEnd":
                jobs[event["Job ID"]]["end"] = event["Completion Time"]
            elif kind == "SparkListenerTaskEnd":
                metrics = event.get("Task Metrics") or {}
                tasks += 1
                deserialise_ms += metrics.get("Executor Deserialize Time", 0)
                run_ms += metrics.get("Executor Run Time", 0)
    by_stage = collections.defaultdict(list)
    kinds = collections.Counter()
    for job in jobs.values():
        by_stage[stage_of(job["description"])].append((job["start"], job.get("end", job["start"])))
        described = delta_operation(job["description"])
        kinds[(described[:40], job["site"][:60])] += 1
    print(f"{len(jobs)} jobs, {tasks} tasks; task deserialisation {deserialise_ms / 1000:.1f} s, "
          f"task run time {run_ms / 1000:.1f} s")
    print("stage                jobs  busy s  span s")
    for stage, intervals in by_stage.items():
        span = (max(e for _, e in intervals) - min(s for s, _ in intervals)) / 1000
        print(f"{stage:18} {len(intervals):6} {busy_seconds(intervals):7.1f} {span:7.1f}")
    print("most frequent kinds of job (Delta's own description, call site):")
    for (described, site), n in kinds.most_common(args.top):
        print(f"{n:5}  {described or '-':40}  {site}")


if __name__ == "__main__":
    main()
