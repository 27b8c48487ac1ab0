"""What the notebook, report and export tests share: the repository layout, the demo warehouse they
need (two snapshots of the demo city) and its check. Named apart from airflow/tests'
lifecircle_testlib so both suites run in one pytest session."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))  # lifecircle_nb, as the notebooks import it

DEMO_CITY = "990101"
DEMO_CONFIG = REPO / "cities" / "demo" / "city.yaml"
# What the Java end-to-end test (NightlyEndToEndIT) leaves behind: a warehouse with two snapshot
# dates of the demo city, the later one from drifted inputs, and a marker written when it is done.
E2E_DIR = REPO / "jobs" / "target" / "e2e-demo"
E2E_WAREHOUSE = E2E_DIR / "warehouse"
E2E_READY = E2E_DIR / "READY"
# The notebooks' own: the demo city at a seventh of its scale, the same two dates (make_fixture.py).
FIXTURE_WAREHOUSE = NOTEBOOKS / "tests" / "fixture" / "warehouse"
FIRST_DATE = "2026-06-30"
SECOND_DATE = "2026-07-31"
BUILD_COMMAND = ["./mvnw", "-B", "-q", "-pl", "jobs", "verify", "-Dtest=none",
                 "-Dsurefire.failIfNoSpecifiedTests=false", "-Dit.test=NightlyEndToEndIT",
                 "-DskipPyTests"]
# Gold tables every notebook reads; each must hold both snapshot dates of the demo city.
SNAPSHOT_TABLES = ["admin_areas", "community_coverage", "coverage_gaps", "gap_fill_candidates",
                   "checkup_indicators"]


def snapshot_dates(table_dir: Path, city: str) -> set[str]:
    """Snapshot dates of a city in a Delta table, from its commit log (no Spark)."""
    active: dict[str, dict] = {}
    for commit in sorted((table_dir / "_delta_log").glob("[0-9]" * 20 + ".json")):
        for line in commit.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            action = json.loads(line)
            if "add" in action:
                active[action["add"]["path"]] = action["add"]
            elif "remove" in action:
                active.pop(action["remove"]["path"], None)
    return {(a.get("partitionValues") or {}).get("snapshot_date") for a in active.values()
            if (a.get("partitionValues") or {}).get("city_code") == city}


def check_warehouse(path: Path, origin: str) -> Path:
    problems = []
    assert SNAPSHOT_TABLES, "no snapshot tables to check"
    for table in SNAPSHOT_TABLES + ["idle_assets"]:
        if not (path / table / "_delta_log").is_dir():
            problems.append(f"{table}: no Delta table")
    for table in SNAPSHOT_TABLES:
        if (path / table / "_delta_log").is_dir():
            dates = snapshot_dates(path / table, DEMO_CITY)
            missing = {FIRST_DATE, SECOND_DATE} - dates
            if missing:
                problems.append(f"{table}: no snapshot {sorted(missing)} of city {DEMO_CITY} "
                                f"(has {sorted(d for d in dates if d)})")
    assert not problems, (
        f"the notebook warehouse {path} ({origin}) is not the two-snapshot demo warehouse the "
        f"tests need (city {DEMO_CITY}, dates {FIRST_DATE} and {SECOND_DATE}):\n  "
        + "\n  ".join(problems))
    return path
