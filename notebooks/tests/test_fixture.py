"""The notebooks' committed fixture warehouse still has the shape the pipeline writes: every table's
columns and partitioning are those of its contract in schemas/. A contract change fails here, naming
the command that makes the fixture again, instead of the notebooks passing on a stale shape."""

from __future__ import annotations

import pytest
import yaml
from deltalake import DeltaTable

from notebook_testlib import FIXTURE_WAREHOUSE, REPO, SNAPSHOT_TABLES

REMAKE = ".venv/bin/python notebooks/tests/fixture/make_fixture.py"
TABLES = SNAPSHOT_TABLES + ["idle_assets"]


def contract(table: str) -> dict:
    with open(REPO / "schemas" / f"{table}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.mark.parametrize("table", TABLES)
def test_fixture_table_has_its_contract_columns_and_partitions(table):
    delta = DeltaTable(str(FIXTURE_WAREHOUSE / table))
    expected = contract(table)
    columns = [f.name for f in delta.schema().fields]
    assert columns, f"{table}: the fixture table has no columns"
    assert sorted(columns) == sorted(f["name"] for f in expected["fields"]), (
        f"{table}: fixture columns differ from schemas/{table}.yaml; run {REMAKE}")
    assert delta.metadata().partition_columns == expected.get("partition_by", []), (
        f"{table}: fixture partitioning differs from schemas/{table}.yaml; run {REMAKE}")
    assert len(delta.to_pyarrow_table()) > 0, f"{table}: the fixture table has no rows"
