"""Helpers shared by the Airflow tests: the repository layout, the stage list, the jar and its
subcommands, rendering of task arguments, and a small reader for Delta commit logs (no Spark
needed)."""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DAGS_DIR = REPO / "airflow" / "dags"
STAGES_FILE = DAGS_DIR / "lifecircle_stages.json"
CITIES_DIR = REPO / "cities"
JAR_GLOB = str(REPO / "jobs" / "target" / "*-spark-submit.jar")
MAIN_CLASS = "org.lifecircle.cli.LifeCircle"
DEMO_CODE = "990101"
DEMO_CONFIG = "demo/city.yaml"

# Spark 3.5 on Java 17 (the same list the POM gives surefire).
JAVA17_FLAGS = " ".join(
    [f"--add-opens=java.base/{p}=ALL-UNNAMED" for p in (
        "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
        "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref",
        "sun.nio.ch", "sun.nio.cs", "sun.security.action", "sun.util.calendar")]
    + ["--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
       "-Djdk.reflect.useDirectMethodHandle=false",
       "-Dio.netty.tryReflectionSetAccessible=true"]
)


def jar_path() -> Path | None:
    """The newest shaded spark-submit jar, or None when the jobs module has not been packaged."""
    jars = sorted(glob.glob(JAR_GLOB), key=os.path.getmtime)
    return Path(jars[-1]) if jars else None


def jar_missing_reason() -> str:
    return (f"jar not built: no {os.path.relpath(JAR_GLOB, REPO)} "
            "(build it with ./mvnw -DskipTests package)")


def require_jar() -> Path:
    """The built jar; a test that needs it fails (never skips) when it is missing."""
    path = jar_path()
    assert path is not None, jar_missing_reason()
    return path


def stage_list() -> dict[str, Any]:
    """The committed stage list the DAG reads (``lifecircle stages --json`` prints the same)."""
    return json.loads(STAGES_FILE.read_text(encoding="utf-8"))


def expected_task_order(stages: dict[str, Any]) -> list[str]:
    """The DAG's task ids in order: every stage, and quality_gate after ``quality_gate.after``."""
    order = []
    for stage in stages["stages"]:
        order.append(stage["name"])
        if stage["name"] == stages["quality_gate"]["after"]:
            order.append("quality_gate")
    return order


def pyspark_home() -> Path | None:
    """SPARK_HOME of the pip pyspark package (its bin/spark-submit and jars/), if installed."""
    try:
        import pyspark
    except ImportError:
        return None
    home = Path(pyspark.__file__).resolve().parent
    return home if (home / "bin" / "spark-submit").exists() and (home / "jars").is_dir() else None


def java_bin() -> str:
    java = shutil.which("java")
    assert java, "java is not on PATH: the jar checks need a Java 17 runtime"
    return java


def jar_classpath(jar: Path) -> str:
    """The jar is built with Spark `provided`; Spark's own jars come from pip pyspark."""
    home = pyspark_home()
    return f"{jar}{os.pathsep}{home / 'jars' / '*'}" if home else str(jar)


def run_jar(jar: Path, args: Iterable[str], timeout: float = 180) -> subprocess.CompletedProcess:
    cmd = [java_bin(), "-cp", jar_classpath(jar), MAIN_CLASS, *args]
    env = {**os.environ, "DO_NOT_TRACK": "true"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)


_COMMAND_LINE = re.compile(r"^ {1,4}([a-z][a-z0-9-]*)(?:,\s*[a-z][a-z0-9-]*)*(?:\s{2,}|\s*$)")


def parse_subcommands(help_text: str) -> list[str]:
    """Subcommand names from picocli's usage text (the block after the line `Commands:`)."""
    names: list[str] = []
    in_commands = False
    for line in help_text.splitlines():
        if line.strip() == "Commands:":
            in_commands = True
            continue
        if not in_commands:
            continue
        if line and not line.startswith(" "):
            break  # next section
        m = _COMMAND_LINE.match(line)
        if m:
            names.append(m.group(1))
    return names


@functools.cache
def jar_subcommands(jar: Path) -> tuple[str, ...]:
    result = run_jar(jar, ["--help"], timeout=120)
    out = result.stdout + result.stderr
    assert result.returncode == 0, f"`{MAIN_CLASS} --help` exited {result.returncode}:\n{out}"
    names = parse_subcommands(result.stdout)
    assert names, f"no subcommands found in the jar's --help output:\n{out}"
    return tuple(names)


def render_args(task: Any, context: dict[str, Any]) -> list[str]:
    """The task's application_args rendered by Airflow's own Jinja environment for the DAG."""
    rendered = task.render_template(task.application_args, context)
    return [str(a) for a in rendered]


def template_context(
    ds: str, run_id: str, variables: dict[str, str], mode: str = "full"
) -> dict[str, Any]:
    return {"ds": ds, "run_id": run_id, "var": {"value": dict(variables)}, "params": {"mode": mode}}


# ---------------------------------------------------------------------------------------------
# Delta commit log, read without Spark: replay the JSON commits in version order.

class DeltaLog:
    def __init__(self, table_dir: Path):
        self.table_dir = Path(table_dir)
        log_dir = self.table_dir / "_delta_log"
        self.commits = sorted(log_dir.glob("[0-9]" * 20 + ".json"))
        if not self.commits:
            raise AssertionError(f"{self.table_dir} is not a Delta table (no _delta_log/*.json)")
        self.partition_columns: list[str] = []
        self.active: dict[str, dict[str, Any]] = {}
        for commit in self.commits:
            for line in commit.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                action = json.loads(line)
                if "metaData" in action:
                    self.partition_columns = list(action["metaData"].get("partitionColumns") or [])
                elif "add" in action:
                    self.active[action["add"]["path"]] = action["add"]
                elif "remove" in action:
                    self.active.pop(action["remove"]["path"], None)

    @property
    def version(self) -> int:
        return int(self.commits[-1].stem)

    def files(self, **partition: str) -> dict[str, dict[str, Any]]:
        """Active files whose partition values match all the given ones."""
        return {
            path: add for path, add in self.active.items()
            if all((add.get("partitionValues") or {}).get(k) == v for k, v in partition.items())
        }

    def snapshot_dates(self, city_code: str) -> set[str]:
        return {
            (add.get("partitionValues") or {}).get("snapshot_date")
            for add in self.files(city_code=city_code).values()
        }

    def records(self, **partition: str) -> int:
        total = 0
        for add in self.files(**partition).values():
            stats = add.get("stats")
            if stats:
                total += int(json.loads(stats).get("numRecords", 0))
        return total


# Content hashes of a warehouse's tables: two runs that should agree (a cluster and a local run,
# the small and the large Spark profile) are compared table by table.
# Run-dependent by nature: which run wrote a row, and when.
VOLATILE_COLUMNS = {"run_id", "started_at", "ended_at", "computed_at", "generated_at"}
# run_log holds timings and Spark costs: it is not a result and differs between any two runs.
NOT_RESULTS = {"run_log"}
# Sums of doubles may add in another order when shuffle blocks arrive from two executors instead
# of one process: values are compared to 12 significant digits, far below any figure a planner
# reads.
SIGNIFICANT_DIGITS = 12


def _normal(value):
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return value


def table_hashes(warehouse: Path) -> dict[str, tuple[int, str]]:
    """Per table (folder with a Delta log): rows and a hash of its sorted, normalised rows."""
    from deltalake import DeltaTable

    out = {}
    for folder in sorted(p for p in warehouse.iterdir() if (p / "_delta_log").is_dir()):
        if folder.name in NOT_RESULTS:
            continue
        table = DeltaTable(str(folder)).to_pyarrow_table()
        columns = sorted(c for c in table.column_names if c not in VOLATILE_COLUMNS)
        rows = sorted(json.dumps([_normal(v) for v in row], default=str, ensure_ascii=False)
                      for row in zip(*(table.column(c).to_pylist() for c in columns), strict=True))
        digest = hashlib.sha256("\n".join([",".join(columns), *rows]).encode()).hexdigest()
        out[folder.name] = (len(rows), digest)
    return out
