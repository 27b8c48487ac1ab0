"""The same jar on a real multi-worker cluster: a Spark standalone master and two workers, each a
process of its own on loopback (started from the pip pyspark package's ``bin/spark-class``, the
Spark the DAG's spark-submit uses), run the nightly through ``spark-submit --master spark://...``
with the warehouse on a path every process shares. Each executor is a JVM in a worker, so tasks,
broadcasts and shuffles cross process boundaries, as on YARN or Kubernetes. The tables must equal a
``local[2]`` run's on the same inputs, compared by a content hash per table.

It lives with the Airflow tests because it is what a deployment's SparkSubmitOperator does, and it
shares their helpers (the built jar, pip pyspark, the Java 17 flags)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from lifecircle_testlib import (
    CITIES_DIR,
    DEMO_CONFIG,
    JAVA17_FLAGS,
    MAIN_CLASS,
    java_bin,
    pyspark_home,
    require_jar,
    table_hashes,
)

DATE = "2026-06-30"
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(spark_home: Path) -> dict[str, str]:
    return {**os.environ,
            "SPARK_HOME": str(spark_home),
            "PATH": os.pathsep.join([str(spark_home / "bin"), str(Path(java_bin()).parent),
                                     os.environ["PATH"]]),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_NO_DAEMONIZE": "1",
            "DO_NOT_TRACK": "true"}


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as r:
            return int(json.load(r).get("aliveworkers", 0))
    except OSError:
        return 0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and two one-core workers; stopped (all three processes) afterwards."""
    spark_home = pyspark_home()
    assert spark_home is not None, (
        "pip pyspark (with bin/spark-class) is not installed: install airflow/requirements.txt")
    root = tmp_path_factory.mktemp("standalone")
    env = _env(spark_home)
    port, ui = _free_port(), _free_port()
    master_url = f"spark://127.0.0.1:{port}"
    spark_class = str(spark_home / "bin" / "spark-class")
    procs = []
    logs = []
    try:
        log = open(root / "master.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(port), "--webui-port", str(ui)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        for n in (1, 2):
            log = open(root / f"worker{n}.log", "w")
            logs.append(log)
            work = root / f"work{n}"
            work.mkdir()
            procs.append(subprocess.Popen(
                [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                 "--cores", "1", "--memory", "2g", "--webui-port", str(_free_port()),
                 "--work-dir", str(work), master_url],
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 120
        while _alive_workers(ui) < 2:
            dead = [p.args[1] for p in procs if p.poll() is not None]
            assert not dead, f"{dead} exited; see the logs in {root}"
            assert time.monotonic() < deadline, f"two workers did not register; logs in {root}"
            time.sleep(1)
        yield {"url": master_url, "root": root, "env": env, "spark_home": spark_home}
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()


# The test tiers' settings (jobs/pom.xml it.jvm.args, as the Airflow e2e's connection sets them):
# C1 only and the serial collector in every JVM, code generation and adaptive execution off, two
# shuffle partitions; for a city of a few hundred rows they cost less CPU, and both runs get them.
TEST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
TEST_SQL = ["--conf", "spark.sql.adaptive.enabled=false",
            "--conf", "spark.sql.shuffle.partitions=2",
            "--conf", "spark.sql.codegen.wholeStage=false",
            "--conf", "spark.sql.codegen.factoryMode=NO_CODEGEN"]


def _submit(cluster, jar: Path, master: str, city: Path, warehouse: Path, extra: list[str]):
    cmd = [str(cluster["spark_home"] / "bin" / "spark-submit"),
           "--master", master, "--deploy-mode", "client", "--class", MAIN_CLASS,
           "--driver-memory", "2g",
           "--conf", f"spark.driver.extraJavaOptions={TEST_JVM} -Xmn512m {JAVA17_FLAGS}",
           "--conf", f"spark.executor.extraJavaOptions={TEST_JVM} {JAVA17_FLAGS}",
           "--conf", "spark.ui.enabled=false",
           *TEST_SQL,
           *extra,
           str(jar), "nightly", "--city", str(city), "--warehouse", str(warehouse),
           "--date", DATE]
    result = subprocess.run(cmd, env=cluster["env"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (
        f"spark-submit --master {master} exited {result.returncode}:\n"
        f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def test_a_standalone_cluster_writes_the_tables_a_local_run_writes(cluster):
    jar = require_jar()
    root = cluster["root"]
    jar = Path(shutil.copy2(jar, root / jar.name))  # a rebuild meanwhile must not pull it away
    city_dir = root / "city"
    city_dir.mkdir()
    demo = (CITIES_DIR / DEMO_CONFIG).read_text(encoding="utf-8")
    small = demo.replace("scale: 0.002}", "scale: 0.0003}")
    assert small != demo, "the demo config's sample scale moved; update this test"
    # Service areas on: their polygons are where row order and JTS's hashing once leaked into
    # the bytes (an ST_Union's input order, the Polygonizer's ring order).
    small = small.replace("\nlimits:\n", "\nlimits:\n  service_areas: true\n")
    assert "service_areas: true" in small, "the demo config's limits block moved; update this test"
    city = city_dir / "city.yaml"
    city.write_text(small, encoding="utf-8")

    # The cluster run first: it also generates the sample inputs (on the executors), which the
    # local run then finds and keeps, so both read the same files.
    on_cluster = _submit(cluster, jar, cluster["url"], city, root / "wh-cluster",
                         ["--conf", "spark.cores.max=2", "--conf", "spark.executor.cores=1",
                          "--conf", "spark.executor.memory=1g"])
    assert "generated sample inputs" in on_cluster.stdout, on_cluster.stdout[-2000:]
    local = _submit(cluster, jar, "local[2]", city, root / "wh-local", [])
    assert "kept (exists" in local.stdout or "generated" not in local.stdout, local.stdout[-2000:]

    # The executors really were the workers' processes, not the driver.
    app_dirs = [d for n in (1, 2) for d in (root / f"work{n}").iterdir()]
    assert len(app_dirs) == 2, f"expected one application folder per worker: {app_dirs}"

    cluster_tables = table_hashes(root / "wh-cluster")
    local_tables = table_hashes(root / "wh-local")
    assert set(cluster_tables) == set(local_tables)
    assert len(cluster_tables) >= 17, sorted(cluster_tables)
    assert cluster_tables["building_access"][0] > 0
    assert cluster_tables["service_areas"][0] > 0
    differ = {t: (cluster_tables[t], local_tables[t]) for t in cluster_tables
              if cluster_tables[t] != local_tables[t]}
    assert not differ, f"tables differ between the cluster and local[2] runs: {differ}"


def test_the_hash_sees_a_changed_value(tmp_path):
    """The comparison can fail: one changed value in one row changes that table's hash."""
    import pyarrow as pa
    from deltalake import write_deltalake

    a, b = tmp_path / "a", tmp_path / "b"
    rows = {"k": ["x", "y"], "v": [1.0, 2.0]}
    write_deltalake(str(a / "t"), pa.table(rows))
    write_deltalake(str(b / "t"), pa.table({"k": ["y", "x"], "v": [2.0, 1.0]}))
    assert table_hashes(a) == table_hashes(b)  # order does not matter
    write_deltalake(str(b / "t"), pa.table({"k": ["x", "y"], "v": [1.0, 2.000001]}),
                    mode="overwrite")
    assert table_hashes(a) != table_hashes(b)

