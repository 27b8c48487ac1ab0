"""Test set-up for the Airflow side: a scratch AIRFLOW_HOME, the DAGs folder, no telemetry.

This runs before Airflow is imported, so Airflow reads this configuration and never touches a real
deployment's home or metadata database.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

_DAGS = Path(__file__).resolve().parents[1] / "dags"


def _scratch_home() -> str:
    home = os.environ.get("AIRFLOW_HOME")
    # Reuse a given home only when it is a scratch folder (bin/py-tests makes one): a real
    # deployment's home has an airflow.cfg or a database in it.
    if home and Path(home).is_dir() and not any(
        (Path(home) / f).exists() for f in ("airflow.cfg", "airflow.db", "webserver_config.py")
    ):
        return home
    return tempfile.mkdtemp(prefix="lifecircle-airflow-home-")


os.environ["AIRFLOW_HOME"] = _scratch_home()
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(_DAGS)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "False"
os.environ.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)
os.environ.pop("AIRFLOW__CORE__SQL_ALCHEMY_CONN", None)
os.environ["DO_NOT_TRACK"] = "true"
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
if str(_DAGS) not in sys.path:
    sys.path.insert(0, str(_DAGS))  # as Airflow does for its DAGs folder


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "e2e: runs the DAG end to end with spark-submit and the built jar (slow; "
        "deselect with -m 'not e2e')",
    )
