"""One stage list: the jar's ``lifecircle stages --json`` equals the file the DAG reads,
airflow/dags/lifecircle_stages.json. Needs the built jar; a missing jar, or one without the
``stages`` subcommand, fails the test (rebuild the jar), it never skips."""

from __future__ import annotations

import json

from lifecircle_testlib import STAGES_FILE, jar_subcommands, require_jar, run_jar, stage_list

REBUILD = "rebuild the jar: ./mvnw -B -DskipTests package (from the repository root)"


def test_jar_prints_the_committed_stage_list():
    jar = require_jar()
    subcommands = jar_subcommands(jar)
    assert "stages" in subcommands, (
        f"{jar} has no `stages` subcommand (it has: {', '.join(subcommands)}); {REBUILD}")
    result = run_jar(jar, ["stages", "--json"], timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode == 0, f"`stages --json` exited {result.returncode}:\n{out}"
    try:
        printed = json.loads(result.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"`stages --json` printed no JSON ({e}):\n{out}") from e
    committed = stage_list()
    assert committed["stages"], f"{STAGES_FILE} lists no stages"
    assert printed == committed, (
        f"the jar's stage list differs from {STAGES_FILE.name}: update the file from "
        "`lifecircle stages --json` (or the Java stages), then rebuild the jar.\n"
        f"jar:       {json.dumps(printed, ensure_ascii=False, sort_keys=True)}\n"
        f"committed: {json.dumps(committed, ensure_ascii=False, sort_keys=True)}")
