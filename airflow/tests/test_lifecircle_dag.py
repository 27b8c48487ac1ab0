"""Structure of the nightly DAGs, checked on the real DagBag (no database, no jar needed)."""

from __future__ import annotations

import importlib.util
import json
import inspect
import sys
from datetime import timedelta
from unittest import mock

import pytest

from lifecircle_testlib import DAGS_DIR, DEMO_CODE

from lifecircle_cities import CITIES
import lifecircle_nightly as nightly

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow >= 3.1
except ImportError:  # pragma: no cover
    from airflow.models.dagbag import DagBag

EXPECTED_ORDER = [
    "ingest", "population", "access", "network", "coverage", "quality_gate",
    "adequacy", "assets", "recommend", "indicators", "report",
]


def _dagbag(**kwargs) -> DagBag:
    params = inspect.signature(DagBag.__init__).parameters
    if "include_examples" in params:  # Airflow 2
        kwargs["include_examples"] = False
    return DagBag(dag_folder=str(DAGS_DIR), **kwargs)


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    return _dagbag()


def test_dagbag_has_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert dagbag.dags


def test_one_dag_per_configured_city(dagbag):
    assert len({c.code for c in CITIES}) == len(CITIES), "city codes must be unique"
    expected = {f"lifecircle_nightly_{c.code}" for c in CITIES}
    assert set(dagbag.dag_ids) == expected


def test_demo_city_is_configured():
    demo = [c for c in CITIES if c.code == DEMO_CODE]
    assert demo and demo[0].config == "demo/city.yaml"


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.code)
def test_tasks_in_nightly_order(dagbag, city):
    dag = dagbag.dags[f"lifecircle_nightly_{city.code}"]
    assert [t.task_id for t in dag.topological_sort()] == EXPECTED_ORDER
    assert set(dag.task_ids) == set(EXPECTED_ORDER)
    for before, after in zip(EXPECTED_ORDER, EXPECTED_ORDER[1:]):
        assert dag.get_task(before).downstream_task_ids == {after}
        assert dag.get_task(after).upstream_task_ids == {before}
    assert dag.get_task("ingest").upstream_task_ids == set()
    assert dag.get_task("report").downstream_task_ids == set()


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.code)
def test_no_cycles(dagbag, city):
    dag = dagbag.dags[f"lifecircle_nightly_{city.code}"]
    seen: set[str] = set()
    visiting: set[str] = set()

    def visit(task_id: str) -> None:
        assert task_id not in visiting, f"cycle through {task_id}"
        if task_id in seen:
            return
        visiting.add(task_id)
        for child in dag.get_task(task_id).downstream_task_ids:
            visit(child)
        visiting.discard(task_id)
        seen.add(task_id)

    for task_id in dag.task_ids:
        visit(task_id)
    assert len(dag.topological_sort()) == len(dag.tasks)


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.code)
def test_dag_settings(dagbag, city):
    dag = dagbag.dags[f"lifecircle_nightly_{city.code}"]
    assert dag.max_active_runs == 1
    assert dag.catchup is city.catchup
    assert {"lifecircle", "spark", f"city:{city.code}"} <= set(dag.tags)
    assert dag.start_date is not None


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.code)
def test_every_task_is_a_safe_spark_submit(dagbag, city):
    dag = dagbag.dags[f"lifecircle_nightly_{city.code}"]
    for task in dag.tasks:
        assert isinstance(task, SparkSubmitOperator), task.task_id
        assert task.retries >= 2, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.max_retry_delay is not None and task.max_retry_delay <= timedelta(hours=1)
        assert task.execution_timeout is not None and task.execution_timeout > timedelta(0)
        assert task.pool == city.pool
        assert task._conn_id == nightly.SPARK_CONN_ID == "spark_lifecircle"
        assert task.application == "{{ var.value.lifecircle_jar }}"
        assert task._java_class == "org.lifecircle.cli.LifeCircle"
        assert task.name == f"lifecircle-{city.slug}-{task.task_id}"
        assert task.env_vars == {"DO_NOT_TRACK": "true"}
        # master and Spark conf live in the connection, never on the task
        assert not task.conf, task.task_id
        assert task._deploy_mode is None and task._spark_binary is None


@pytest.mark.parametrize("city", CITIES, ids=lambda c: c.code)
def test_application_args_are_keyed_by_the_logical_date(dagbag, city):
    dag = dagbag.dags[f"lifecircle_nightly_{city.code}"]
    for task in dag.tasks:
        args = task.application_args
        stage = next(s for s in nightly.STAGES if s.task_id == task.task_id)
        assert args[:9] == [
            stage.subcommand,
            "--city", "{{ var.value.lifecircle_cities_dir }}/" + city.config,
            "--date", "{{ ds }}",
            "--warehouse", "{{ var.value.lifecircle_warehouse }}",
            "--run-id", "{{ run_id }}",
        ]
        assert "--master" not in args  # the connection sets the master
        if task.task_id == "quality_gate":
            assert args[9:] == [
                "--max-quarantine-share", str(city.max_quarantine_share),
                "--max-coverage-drop", str(city.max_coverage_drop),
            ]
        else:
            assert args[9:] == []


def test_connection_conf_is_merged_at_run_time(dagbag):
    """Master and Spark conf come from the connection when the task executes."""
    try:
        from airflow.sdk import Connection
    except ImportError:  # pragma: no cover - Airflow 2
        from airflow.models import Connection

    task = dagbag.dags[f"lifecircle_nightly_{DEMO_CODE}"].get_task("ingest")
    conn = Connection(
        conn_id="spark_lifecircle", conn_type="spark", host="local[2]",
        extra=json.dumps({"deploy-mode": "client",
                          "conf": {"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": 4}}),
    )
    submitted = {}

    def fake_submit(self, application):
        submitted["cmd"] = self._build_spark_submit_command(application)

    with mock.patch.object(nightly.SparkSubmitHook, "get_connection", return_value=conn), \
            mock.patch.object(nightly.SparkSubmitHook, "submit", fake_submit):
        task.application = "/opt/lifecircle.jar"
        try:
            task.execute(context={})
        finally:
            task.application = "{{ var.value.lifecircle_jar }}"
            task.conf = None
            task._hook = None
    cmd = submitted["cmd"]
    assert cmd[:3] == ["spark-submit", "--master", "local[2]"]
    assert "spark.driver.memory=3g" in cmd and "spark.sql.shuffle.partitions=4" in cmd
    assert cmd[cmd.index("--class") + 1] == "org.lifecircle.cli.LifeCircle"
    assert cmd[cmd.index("--name") + 1] == "lifecircle-demo-ingest"
    assert cmd[cmd.index("/opt/lifecircle.jar") + 1] == "ingest"


def _import_dag_file_fresh():
    path = DAGS_DIR / "lifecircle_nightly.py"
    spec = importlib.util.spec_from_file_location("lifecircle_nightly_fresh_import", path)
    module = importlib.util.module_from_spec(spec)
    saved_cities = sys.modules.pop("lifecircle_cities", None)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
        if saved_cities is not None:
            sys.modules["lifecircle_cities"] = saved_cities
    return module


def test_dag_file_does_no_variable_or_connection_lookup_at_parse_time():
    def forbidden(*args, **kwargs):
        raise AssertionError(f"lookup while parsing the DAG file: {args!r}")

    targets = ["airflow.models.Variable.get", "airflow.models.variable.Variable.get"]
    try:
        import airflow.sdk  # noqa: F401
        targets += ["airflow.sdk.Variable.get", "airflow.sdk.BaseHook.get_connection"]
    except ImportError:  # pragma: no cover - Airflow 2
        pass
    targets += [
        "airflow.providers.apache.spark.hooks.spark_submit.SparkSubmitHook.get_connection",
        "socket.create_connection",
        "urllib.request.urlopen",
    ]
    patches = [mock.patch(t, side_effect=forbidden) for t in targets]
    for p in patches:
        p.start()
    try:
        module = _import_dag_file_fresh()
        bag = _dagbag()
    finally:
        for p in patches:
            p.stop()
    assert bag.import_errors == {}
    assert hasattr(module, f"lifecircle_nightly_{DEMO_CODE}")


def test_pools_are_known(dagbag):
    """DagBag can verify pools when given the set to expect: one per city."""
    params = inspect.signature(DagBag.__init__).parameters
    if "known_pools" not in params:  # pragma: no cover
        pytest.skip("this Airflow's DagBag cannot check pools")
    bag = _dagbag(known_pools={c.pool for c in CITIES})
    assert bag.import_errors == {}
