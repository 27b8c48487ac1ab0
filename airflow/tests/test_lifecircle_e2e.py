"""End to end: the demo city's DAG run by Airflow (``dag.test``) through the real
SparkSubmitOperator, spark-submit from the pip pyspark package on ``local[2]``, and the built jar;
then the Delta tables are checked from their commit logs.

Every task runs: a missing jar, a jar without one of the DAG's subcommands, or no pip pyspark fails
the tests (never skips them). The backfill test runs the ingest task alone, as a subset of the DAG.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pendulum
import pytest

import lifecircle_nightly as nightly
from lifecircle_cities import CITIES
from lifecircle_testlib import (
    CITIES_DIR,
    DEMO_CODE,
    JAVA17_FLAGS,
    DeltaLog,
    jar_subcommands,
    java_bin,
    pyspark_home,
    require_jar,
)

pytestmark = pytest.mark.e2e

DEMO = next(c for c in CITIES if c.code == DEMO_CODE)
DAG_ID = nightly.dag_id(DEMO)
# The scheduler's logical date for the snapshot of day D is 01:30 Beijing time on D+1, i.e.
# 17:30 UTC on D: `{{ ds }}` is D (see airflow/README.md).
NIGHTLY_DATE = "2025-03-01"
BACKFILL_DATES = ["2025-03-02", "2025-03-03"]
# Tables a stage may legitimately leave without rows for a date (no rows quarantined, no gaps...).
# service_areas: the demo city leaves service areas off (limits.service_areas), so no rows.
MAY_BE_EMPTY = {
    "quarantine", "coverage_gaps", "gap_fill_candidates", "idle_assets", "service_areas"}


def logical_date(day: str) -> pendulum.DateTime:
    return pendulum.parse(day, tz="UTC").add(hours=17, minutes=30)


@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    jar = require_jar()
    spark_home = pyspark_home()
    assert spark_home is not None, (
        "pip pyspark (with bin/spark-submit) is not installed: install airflow/requirements.txt")
    java = java_bin()
    root = tmp_path_factory.mktemp("lifecircle-e2e")
    # A private copy: a rebuild of jobs/target while the runs go on must not pull the jar away.
    jar = Path(shutil.copy2(jar, root / jar.name))
    with zipfile.ZipFile(jar) as z:  # a jar copied while Maven was writing it fails here
        assert "org/lifecircle/cli/LifeCircle.class" in z.namelist(), f"{jar} has no main class"
    available = jar_subcommands(jar)
    missing = [s.subcommand for s in nightly.STAGES if s.subcommand not in available]
    assert not missing, (f"{jar} lacks the DAG's subcommands {missing} (it has: "
                         f"{', '.join(available)}); rebuild it: ./mvnw -B -DskipTests package")

    # A copy of the demo config: the jar generates the sample inputs beside it on first use. At a
    # seventh of the demo's scale: these tests are about Airflow driving the jar (each task its own
    # spark-submit), and the demo itself runs end to end in the Java suite.
    cities = root / "cities"
    (cities / Path(DEMO.config).parent).mkdir(parents=True)
    demo = (CITIES_DIR / DEMO.config).read_text(encoding="utf-8")
    small = demo.replace("scale: 0.002}", "scale: 0.0003}")
    assert small != demo, "the demo config's sample scale moved; update this test"
    (cities / DEMO.config).write_text(small, encoding="utf-8")

    connection = {
        "conn_type": "spark",
        "host": "local[2]",
        "extra": {
            "deploy-mode": "client",
            "spark-binary": "spark-submit",
            # The test tier's settings, as the Java tests' JVMs get them (jobs/pom.xml
            # test.jvm.args): C1 only, the serial collector, and Spark's code generation off, for
            # a city of a few hundred rows where compiling and G1 cost more CPU than they save.
            # A deployment's connection keeps Spark's defaults; the export and notebook tests run
            # the jar with those.
            "conf": {
                "spark.driver.extraJavaOptions": (
                    "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmn512m -XX:-UsePerfData "
                    f"{JAVA17_FLAGS}"),
                "spark.executor.extraJavaOptions": JAVA17_FLAGS,
                "spark.driver.memory": "3g",
                # The integration tier's (jobs/pom.xml it.jvm.args): no adaptive execution.
                "spark.sql.adaptive.enabled": "false",
                "spark.sql.shuffle.partitions": "2",
                "spark.sql.codegen.wholeStage": "false",
                "spark.sql.codegen.factoryMode": "NO_CODEGEN",
                "spark.ui.enabled": "false",
            },
        },
    }
    env = {
        "PATH": os.pathsep.join([str(spark_home / "bin"), str(Path(java).parent),
                                 os.environ["PATH"]]),
        "SPARK_HOME": str(spark_home),
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "DO_NOT_TRACK": "true",
        "AIRFLOW_CONN_SPARK_LIFECIRCLE": json.dumps(connection),
        "AIRFLOW_VAR_LIFECIRCLE_JAR": str(jar),
        "AIRFLOW_VAR_LIFECIRCLE_CITIES_DIR": str(cities),
        "AIRFLOW_VAR_LIFECIRCLE_WAREHOUSE": str(root / "warehouse-unset"),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        migrate = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"],
                                 capture_output=True, text=True, timeout=600)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        yield {"root": root, "mp": mp}


def _dag():
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # pragma: no cover
        from airflow.models.dagbag import DagBag
    bag = DagBag(dag_folder=str(nightly.__file__))
    assert bag.import_errors == {}
    return bag.dags[DAG_ID]


def run_dag(e2e, warehouse: Path, day: str, only: list[str] | None = None) -> None:
    """One DAG run for `day`: every task, or only the tasks named (the DAG's subset of them)."""
    e2e["mp"].setenv("AIRFLOW_VAR_LIFECIRCLE_WAREHOUSE", str(warehouse))
    dag = _dag()
    if only is not None:
        dag = dag.partial_subset(task_ids=only, include_upstream=False, include_downstream=False)
        assert sorted(dag.task_ids) == sorted(only), dag.task_ids
    assert dag.tasks, dag.dag_id
    for task in dag.tasks:
        task.retries = 0  # a failure here should fail the test now, not after backoff waits
    dr = dag.test(logical_date=logical_date(day))
    _assert_run_succeeded(dr, set(dag.task_ids))


def _assert_run_succeeded(dr, ran: set[str]) -> None:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(select(TaskInstance).where(
            TaskInstance.dag_id == dr.dag_id, TaskInstance.run_id == dr.run_id)).all()
        states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in tis}
    assert set(states) == ran, states
    failed = {t: s for t, s in states.items() if s != "success"}
    assert not failed, f"tasks not successful in {dr.run_id}: {failed}"
    assert str(getattr(dr.state, "value", dr.state)) == "success", dr.state


def _snapshot_files(warehouse: Path, table: str, day: str) -> dict[str, dict]:
    return DeltaLog(warehouse / table).files(city_code=DEMO_CODE, snapshot_date=day)


def test_nightly_run_writes_every_stage_for_the_date(e2e):
    warehouse = e2e["root"] / "warehouse-nightly"
    run_dag(e2e, warehouse, NIGHTLY_DATE)

    assert nightly.STAGES
    for stage in nightly.STAGES:
        for out in stage.writes:
            if "/" in out:  # a file, e.g. the report
                candidates = {warehouse / out.format(city=c, date=NIGHTLY_DATE)
                              for c in (DEMO.code, DEMO.slug)}
                assert any(p.is_file() for p in candidates), \
                    f"{stage.task_id}: none of {candidates}"
                continue
            log = DeltaLog(warehouse / out)
            assert "city_code" in log.partition_columns, f"{out}: {log.partition_columns}"
            if "snapshot_date" in log.partition_columns and out not in MAY_BE_EMPTY:
                assert _snapshot_files(warehouse, out, NIGHTLY_DATE), \
                    f"{stage.task_id}: no {out} partition for {NIGHTLY_DATE}"
                assert DeltaLog(warehouse / out).snapshot_dates(DEMO_CODE) == {NIGHTLY_DATE}
    run_log = DeltaLog(warehouse / "run_log")
    assert run_log.files(city_code=DEMO_CODE), "run_log has no rows for the city"


def test_backfill_two_dates_then_rerun_one(e2e):
    """Two logical dates give two snapshot partitions; re-running one date replaces only its own
    partition. Only ingest runs here (it writes `buildings`), to keep the test short."""
    warehouse = e2e["root"] / "warehouse-backfill"
    ingest = next(s for s in nightly.STAGES if s.task_id == "ingest")
    tables = [t for t in ingest.writes if t not in MAY_BE_EMPTY]
    assert "buildings" in tables, tables
    for day in BACKFILL_DATES:
        run_dag(e2e, warehouse, day, only=["ingest"])

    buildings = DeltaLog(warehouse / "buildings")
    assert buildings.snapshot_dates(DEMO_CODE) == set(BACKFILL_DATES)
    before = {(t, d): _snapshot_files(warehouse, t, d) for t in tables for d in BACKFILL_DATES}
    for (table, day), files in before.items():
        assert files, f"{table}: no partition for {day}"
    rows_before = buildings.records(city_code=DEMO_CODE, snapshot_date=BACKFILL_DATES[0])
    version_before = buildings.version

    rerun = BACKFILL_DATES[0]
    run_dag(e2e, warehouse, rerun, only=["ingest"])

    buildings = DeltaLog(warehouse / "buildings")
    assert buildings.snapshot_dates(DEMO_CODE) == set(BACKFILL_DATES), "only the backfilled dates"
    assert buildings.version > version_before, "the rerun committed a new version"
    assert buildings.records(city_code=DEMO_CODE, snapshot_date=rerun) == rows_before
    for table in tables:
        for day in BACKFILL_DATES:
            after = _snapshot_files(warehouse, table, day)
            if day == rerun:
                assert after and set(after).isdisjoint(before[(table, day)]), \
                    f"{table} {day}: the rerun should have replaced the partition's files"
            else:
                assert after == before[(table, day)], \
                    f"{table} {day} changed by the rerun of {rerun}"
