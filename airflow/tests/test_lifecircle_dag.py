"""Structure of the nightly DAGs, checked on the real DagBag (no database, no jar needed)."""

from __future__ import annotations

import builtins
import importlib.util
import inspect
import json
import sys
from datetime import timedelta
from unittest import mock

import pytest
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

import lifecircle_nightly as nightly
from lifecircle_cities import CITIES
from lifecircle_testlib import DAGS_DIR, DEMO_CODE, expected_task_order, stage_list

try:
    from airflow.dag_processing.dagbag import DagBag  # Airflow >= 3.1
except ImportError:  # pragma: no cover
    from airflow.models.dagbag import DagBag

# The one stage list (airflow/dags/lifecircle_stages.json), read here on its own rather than
# through the DAG module, so a DAG that misreads it fails these tests.
STAGE_LIST = stage_list()
EXPECTED_ORDER = expected_task_order(STAGE_LIST)


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
    assert len(EXPECTED_ORDER) > 2 and "quality_gate" in EXPECTED_ORDER, EXPECTED_ORDER
    assert [t.task_id for t in dag.topological_sort()] == EXPECTED_ORDER
    assert set(dag.task_ids) == set(EXPECTED_ORDER)
    for before, after in zip(EXPECTED_ORDER, EXPECTED_ORDER[1:], strict=False):
        assert dag.get_task(before).downstream_task_ids == {after}
        assert dag.get_task(after).upstream_task_ids == {before}
    assert dag.get_task(EXPECTED_ORDER[0]).upstream_task_ids == set()
    assert dag.get_task(EXPECTED_ORDER[-1]).downstream_task_ids == set()


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

    assert dag.task_ids, dag.dag_id
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
    assert dag.tasks, dag.dag_id
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
    assert dag.tasks, dag.dag_id
    for task in dag.tasks:
        args = task.application_args
        stage = next(s for s in nightly.STAGES if s.task_id == task.task_id)
        assert args[:10] == [
            stage.subcommand,
            "--city", "{{ var.value.lifecircle_cities_dir }}/" + city.config,
            "--date", "{{ ds }}",
            "--warehouse", "{{ var.value.lifecircle_warehouse }}",
            "--run-id", "{{ run_id }}",
            "--{{ params.mode }}",
        ]
        assert "--master" not in args  # the connection sets the master
        if task.task_id == "quality_gate":
            assert args[10:] == [
                "--max-quarantine-share", str(city.max_quarantine_share),
                "--max-coverage-drop", str(city.max_coverage_drop),
            ]
        else:
            assert args[10:] == []
    assert dag.params["mode"] == city.mode


def test_connection_conf_is_merged_at_run_time(dagbag):
    """Master and Spark conf come from the connection when the task executes."""
    try:
        from airflow.sdk import Connection
    except ImportError:  # pragma: no cover - Airflow 2
        from airflow.models import Connection

    task = dagbag.dags[f"lifecircle_nightly_{DEMO_CODE}"].get_task("ingest")
    conn = Connection(
        conn_id="spark_lifecircle", conn_type="spark", host="local[2]",
        extra=json.dumps({
            "deploy-mode": "client",
            "conf": {"spark.driver.memory": "3g", "spark.sql.shuffle.partitions": 4},
        }),
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
    opened = []
    real_open = builtins.open

    def recording_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    patches.append(mock.patch("builtins.open", recording_open))
    for p in patches:
        p.start()
    try:
        module = _import_dag_file_fresh()
    finally:
        for p in patches:
            p.stop()
    # The one file the DAG file reads, as its docstring says: the stage list beside it.
    assert opened == [str(DAGS_DIR / "lifecircle_stages.json")], opened
    assert hasattr(module, f"lifecircle_nightly_{DEMO_CODE}")
    for p in patches[:-1]:
        p.start()
    try:
        bag = _dagbag()
    finally:
        for p in patches[:-1]:
            p.stop()
    assert bag.import_errors == {}


def test_pools_are_known():
    """Every task's pool is one of the cities' pools (DagBag's own check, as a DAG warning), and
    the check can fail: with no pools known, it names each city's pool."""
    params = inspect.signature(DagBag.__init__).parameters
    assert "known_pools" in params, "this Airflow's DagBag cannot check pools (known_pools)"
    pools = {c.pool for c in CITIES}
    assert pools, "no city pools to check"
    bag = _dagbag(known_pools=pools)
    assert bag.import_errors == {}
    assert bag.dags
    assert bag.dag_warnings == set()
    messages = [w.message for w in _dagbag(known_pools=set()).dag_warnings]
    assert len(messages) == len(CITIES), messages
    for city in CITIES:
        assert any(city.pool in m for m in messages), (city.pool, messages)


def test_the_dag_follows_the_stage_list(dagbag):
    """Descriptions and tables come from the stage list; the gate sits where it says."""
    assert STAGE_LIST["stages"], "the stage list has no stages"
    by_name = {s["name"]: s for s in STAGE_LIST["stages"]}
    assert len(by_name) == len(STAGE_LIST["stages"]), "stage names must be unique"
    stages = {s.task_id: s for s in nightly.STAGES}
    assert [s.task_id for s in nightly.STAGES] == EXPECTED_ORDER
    for name, entry in by_name.items():
        assert set(entry) == {"name", "description", "inputs", "outputs", "checks"}, entry
        assert entry["description"], name
        assert stages[name].subcommand == name
        assert stages[name].description == entry["description"]
        assert stages[name].writes[:len(entry["outputs"])] == tuple(entry["outputs"])
        assert stages[name].produces
    gate = stages["quality_gate"]
    assert set(STAGE_LIST["quality_gate"]) == {"after", "description", "inputs", "checks"}
    assert gate.subcommand == "quality-gate" and not gate.produces and gate.writes == ()
    assert gate.description == STAGE_LIST["quality_gate"]["description"]
    task = dagbag.dags[f"lifecircle_nightly_{DEMO_CODE}"].get_task("quality_gate")
    assert task.upstream_task_ids == {STAGE_LIST["quality_gate"]["after"]}
    assert STAGE_LIST["quality_gate"]["description"] in task.doc_md


def test_a_stage_list_the_dag_cannot_run_fails_the_parse(tmp_path):
    """A stage without a timeout here, or a gate after an unknown stage, stops the DAG file."""
    doc = stage_list()
    doc["stages"].append({"name": "brand_new", "description": "d", "inputs": [], "outputs": [],
                          "checks": []})
    path = tmp_path / "stages.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="no timeout.*brand_new"):
        nightly.load_stages(str(path))
    doc["stages"].pop()
    doc["quality_gate"]["after"] = "nowhere"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValueError, match="quality_gate.after 'nowhere'"):
        nightly.load_stages(str(path))
