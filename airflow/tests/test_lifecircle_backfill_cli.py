"""The backfill command the README gives selects exactly the snapshot dates asked for.

Runs the real CLI against a scratch metadata database (no scheduler, no Spark): the DAGs are
serialized, then `airflow backfill create --dry-run` lists the runs it would create.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lifecircle_testlib import DEMO_CODE

AIRFLOW = [sys.executable, "-m", "airflow"]


def _cli(*args: str, timeout: float = 300) -> str:
    result = subprocess.run([*AIRFLOW, *args], capture_output=True, text=True, timeout=timeout)
    out = result.stdout + result.stderr
    assert result.returncode == 0, f"airflow {' '.join(args)} exited {result.returncode}:\n{out}"
    return result.stdout


@pytest.fixture(scope="module")
def metadata_db():
    _cli("db", "migrate")
    _cli("dags", "reserialize")


def test_backfill_date_range_selects_those_snapshot_dates(metadata_db):
    import airflow

    # airflow/requirements.txt pins Airflow 3, whose CLI has `airflow backfill create`.
    assert int(airflow.__version__.split(".")[0]) >= 3, (
        f"Airflow {airflow.__version__}: `airflow backfill create` needs Airflow 3 "
        "(install airflow/requirements.txt)")
    out = _cli("backfill", "create", "--dag-id", f"lifecircle_nightly_{DEMO_CODE}",
               "--from-date", "2025-03-01", "--to-date", "2025-03-03T23:59:59", "--dry-run")
    logical = re.findall(r"^\| (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\+00:00", out, re.M)
    # The run for snapshot D starts 01:30 Beijing time on D+1 = 17:30 UTC on D, so ds == D.
    assert logical == [("2025-03-01", "17:30:00"), ("2025-03-02", "17:30:00"),
                       ("2025-03-03", "17:30:00")], out
