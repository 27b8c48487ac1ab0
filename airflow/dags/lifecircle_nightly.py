"""Nightly 15-minute life-circle pipeline: one DAG per city in ``lifecircle_cities.CITIES``.

Each task runs one stage of the shaded jar through spark-submit for the run's logical date
(``{{ ds }}``). A stage replaces that (city, date) partition of its tables in one Delta commit, so
every task is a transaction keyed by the logical date: a retry, a clear or a backfill of the date
rewrites the same partitions and leaves other dates alone.

The stages, their order, descriptions and tables come from ``lifecircle_stages.json`` beside this
file: the same list the jar prints with ``lifecircle stages --json`` (a test holds the two equal),
with the quality gate placed after the stage its ``quality_gate.after`` names. Deploy it with the
DAG files. Timeouts and the other Airflow settings are kept here.

Parsing this file reads that one JSON file and does no other I/O: no network and no Variable or
Connection lookups. Everything that depends on the deployment is a Jinja template rendered when a
task runs:

* ``{{ var.value.lifecircle_jar }}``: path of ``lifecircle-jobs-<version>-spark-submit.jar``
* ``{{ var.value.lifecircle_warehouse }}``: warehouse root (one Delta table per folder)
* ``{{ var.value.lifecircle_cities_dir }}``: folder the city config paths are relative to
* connection ``spark_lifecircle``: master (host[:port]), deploy mode, spark-binary, and the Spark
  conf as a JSON object under the extra key ``conf``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

try:  # Airflow 3
    from airflow.sdk import DAG, Param
except ImportError:  # pragma: no cover - Airflow 2
    from airflow.models.param import Param

    from airflow import DAG

try:  # Airflow puts the DAGs folder on sys.path; the fallback serves a DagBag of another folder.
    from lifecircle_cities import CITIES, MODES, City
except ModuleNotFoundError:  # pragma: no cover
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from lifecircle_cities import CITIES, MODES, City

SPARK_CONN_ID = "spark_lifecircle"
MAIN_CLASS = "org.lifecircle.cli.LifeCircle"
JAR = "{{ var.value.lifecircle_jar }}"
WAREHOUSE = "{{ var.value.lifecircle_warehouse }}"
CITIES_DIR = "{{ var.value.lifecircle_cities_dir }}"


STAGES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lifecircle_stages.json")
"""The stage list, ``{"stages": [...], "quality_gate": {...}}``: ``lifecircle stages --json``."""

QUALITY_GATE_TASK = "quality_gate"

# What the stage list does not say: how long each task may run. A stage the list gains must be
# given a timeout here (parsing fails otherwise), so the DAG never runs a stage it does not know.
TIMEOUTS: dict[str, timedelta] = {
    "ingest": timedelta(hours=1),
    "population": timedelta(minutes=30),
    "access": timedelta(hours=3),  # straight line and walk network
    "service-areas": timedelta(hours=1),
    "adequacy": timedelta(minutes=30),
    "coverage": timedelta(hours=1),
    QUALITY_GATE_TASK: timedelta(minutes=20),
    "assets": timedelta(minutes=30),
    "recommend": timedelta(minutes=30),
    "indicators": timedelta(minutes=30),
    "report": timedelta(minutes=20),
}

# Files (not tables) a stage writes, relative to the warehouse.
FILES: dict[str, tuple[str, ...]] = {"report": ("_reports/{city}/{date}.html",)}


@dataclass(frozen=True)
class StageTask:
    task_id: str
    subcommand: str
    timeout: timedelta
    writes: tuple[str, ...] = ()
    """Tables (folders under the warehouse) the stage writes for the date; every stage also
    appends run_log. A path with a slash is a file, not a table."""
    produces: bool = True
    """False for checks that write no table (quality_gate): later stages do not need them."""
    description: str = ""


def load_stages(path: str = STAGES_FILE) -> tuple[StageTask, ...]:
    """The tasks in nightly order, from the stage list: each stage, and the quality gate after the
    stage its ``quality_gate.after`` names."""
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    gate = doc["quality_gate"]
    names = [s["name"] for s in doc["stages"]]
    if gate["after"] not in names:
        raise ValueError(f"{path}: quality_gate.after {gate['after']!r} is not a stage: {names}")
    unknown = [n for n in names if n not in TIMEOUTS]
    if unknown:
        raise ValueError(f"{path}: no timeout in lifecircle_nightly.TIMEOUTS for {unknown}")
    tasks = []
    for stage in doc["stages"]:
        name = stage["name"]
        tasks.append(StageTask(name, name, TIMEOUTS[name],
                               (*stage["outputs"], *FILES.get(name, ())),
                               description=stage["description"]))
        if name == gate["after"]:
            tasks.append(StageTask(QUALITY_GATE_TASK, "quality-gate", TIMEOUTS[QUALITY_GATE_TASK],
                                   (), produces=False, description=gate["description"]))
    return tuple(tasks)


# Nightly order. Each task runs after the one before it.
STAGES: tuple[StageTask, ...] = load_stages()

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "lifecircle",
    "depends_on_past": False,
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=45),
}


class LifeCircleSparkSubmitOperator(SparkSubmitOperator):
    """SparkSubmitOperator that also takes the Spark conf from its connection.

    The provider's Spark connection holds master, deploy mode and binary but no conf, so the conf
    (memory, Java options, shuffle partitions...) is kept in the connection's extra as
    ``{"conf": {"spark.driver.memory": "8g", ...}}`` and merged in when the task runs; conf given
    on the task itself wins. Nothing is looked up when the DAG file is parsed.
    """

    def __init__(self, *, conn_id: str, **kwargs: Any) -> None:
        super().__init__(conn_id=conn_id, **kwargs)
        self.spark_conn_id = conn_id

    def connection_conf(self) -> dict[str, str]:
        extra = SparkSubmitHook.get_connection(self.spark_conn_id).extra_dejson
        conf = extra.get("conf") or {}
        if isinstance(conf, str):
            conf = json.loads(conf)
        if not isinstance(conf, dict):
            raise ValueError(
                f"connection {self.spark_conn_id}: extra 'conf' must be a JSON object of Spark "
                "properties"
            )
        return {str(k): str(v) for k, v in conf.items()}

    def execute(self, context: Any) -> None:
        self.conf = {**self.connection_conf(), **(self.conf or {})}
        return super().execute(context)


def application_args(city: City, stage: StageTask) -> list[str]:
    """The jar's command line for one stage (templated: rendered when the task runs)."""
    args = [
        stage.subcommand,
        "--city", f"{CITIES_DIR}/{city.config}",
        "--date", "{{ ds }}",
        "--warehouse", WAREHOUSE,
        "--run-id", "{{ run_id }}",
        # --full or --incremental: the run's param, the city's mode unless a trigger sets it.
        "--{{ params.mode }}",
    ]
    if stage.subcommand == "quality-gate":
        args += [
            "--max-quarantine-share", str(city.max_quarantine_share),
            "--max-coverage-drop", str(city.max_coverage_drop),
        ]
    return args


def dag_id(city: City) -> str:
    return f"lifecircle_nightly_{city.code}"


def build_city_dag(city: City, stages: Iterable[StageTask] = STAGES) -> DAG:
    """One city's DAG: the stages chained in nightly order."""
    stages = tuple(stages)
    with DAG(
        dag_id=dag_id(city),
        description=f"Nightly 15-minute life-circle gaps for {city.slug} ({city.code})",
        schedule=city.schedule,
        start_date=pendulum.parse(city.start_date, tz=city.timezone),
        catchup=city.catchup,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["lifecircle", "spark", f"city:{city.code}", city.slug],
        doc_md=__doc__,
        params={"mode": Param(city.mode, type="string", enum=list(MODES))},
    ) as dag:
        previous = None
        for stage in stages:
            task = LifeCircleSparkSubmitOperator(
                task_id=stage.task_id,
                conn_id=SPARK_CONN_ID,
                application=JAR,
                java_class=MAIN_CLASS,
                name=f"lifecircle-{city.slug}-{stage.task_id}",
                application_args=application_args(city, stage),
                env_vars={"DO_NOT_TRACK": "true"},
                pool=city.pool,
                execution_timeout=stage.timeout,
                doc_md=(
                    f"`{stage.subcommand}` for the logical date: {stage.description} Writes "
                    f"{', '.join(stage.writes) or 'no table (a check)'}; appends run_log."
                ),
            )
            if previous is not None:
                previous >> task
            previous = task
    return dag


for _city in CITIES:
    globals()[dag_id(_city)] = build_city_dag(_city)
