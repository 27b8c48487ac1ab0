"""Every task's command line is one the jar accepts: rendered for the demo city, run with --dry-run.

A missing jar, or a task whose subcommand the jar does not have, fails the test: rebuild the jar.
"""

from __future__ import annotations

import pytest

import lifecircle_nightly as nightly
from lifecircle_cities import CITIES
from lifecircle_testlib import (
    CITIES_DIR,
    DEMO_CODE,
    jar_subcommands,
    parse_subcommands,
    render_args,
    require_jar,
    run_jar,
    template_context,
)

DEMO = next(c for c in CITIES if c.code == DEMO_CODE)
DATE = "2025-03-01"
RUN_ID = "manual__2025-03-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def jar():
    return require_jar()


@pytest.fixture(scope="module")
def subcommands(jar):
    return jar_subcommands(jar)


@pytest.fixture(scope="module")
def demo_dag():
    return nightly.build_city_dag(DEMO)


def test_parse_picocli_usage():
    usage = """Usage: lifecircle [-hV] [COMMAND]
15-minute life-circle gaps.
  -h, --help      Show this help message and exit.
  -V, --version   Print version information and exit.
Commands:
  nightly   Run every stage in order for one city and snapshot date, then print
              a summary.
  generate  Write a deterministic sample city.
  ingest    Validate every input against its contract.
  quality-gate
            Fail when quarantine share or coverage drop exceed thresholds.
"""
    assert parse_subcommands(usage) == ["nightly", "generate", "ingest", "quality-gate"]


def test_jar_lists_its_subcommands(subcommands):
    assert subcommands
    assert "ingest" in subcommands
    assert "nightly" in subcommands


@pytest.mark.parametrize("stage", nightly.STAGES, ids=lambda s: s.task_id)
def test_task_args_accepted_by_jar(jar, subcommands, demo_dag, stage, tmp_path):
    task = demo_dag.get_task(stage.task_id)
    args = render_args(task, template_context(DATE, RUN_ID, {
        "lifecircle_jar": str(jar),
        "lifecircle_warehouse": str(tmp_path / "warehouse"),
        "lifecircle_cities_dir": str(CITIES_DIR),
    }))
    assert args[0] == stage.subcommand
    assert args[1:9] == [
        "--city", str(CITIES_DIR / DEMO.config),
        "--date", DATE,
        "--warehouse", str(tmp_path / "warehouse"),
        "--run-id", RUN_ID,
    ]
    assert args[9] == "--full"  # the city's mode, unless a run's param says otherwise
    assert stage.subcommand in subcommands, (
        f"subcommand '{stage.subcommand}' (task {stage.task_id}) is not in {jar}; it has: "
        f"{', '.join(subcommands)} (rebuild the jar: ./mvnw -B -DskipTests package)")
    result = run_jar(jar, [*args, "--dry-run"])
    out = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} --dry-run exited {result.returncode}:\n{out}"
    assert DEMO_CODE in result.stdout and DATE in result.stdout, out
    assert not (tmp_path / "warehouse").exists(), "a dry run must write nothing"


def test_the_mode_param_reaches_the_jar(jar, demo_dag, tmp_path):
    """A run triggered with mode=incremental passes --incremental, which the jar accepts; the DAG
    rejects any other mode."""
    task = demo_dag.get_task("access")
    args = render_args(task, template_context(DATE, RUN_ID, {
        "lifecircle_jar": str(jar),
        "lifecircle_warehouse": str(tmp_path / "warehouse"),
        "lifecircle_cities_dir": str(CITIES_DIR),
    }, mode="incremental"))
    assert args[9] == "--incremental"
    result = run_jar(jar, [*args, "--dry-run"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert demo_dag.params["mode"] == "full"
    with pytest.raises(ValueError, match="mode must be one of"):
        nightly.City(code="x", slug="x", config="x", schedule=None, pool="p", mode="weekly")
