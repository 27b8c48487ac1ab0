"""The jar's `export` subcommand, run through pip pyspark's spark-submit as a cluster would run it,
writes GeoParquet that geopandas reads back: WGS84 lon/lat, inside the demo city, every row of the
table's snapshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas
import pyproj
import pytest
from deltalake import DeltaTable

from notebook_testlib import DEMO_CITY, DEMO_CONFIG, SECOND_DATE
from lifecircle_nb import JAVA17_FLAGS

TABLE = "coverage_gaps"  # a gold table without geometry of its own: exported with community polygons
BOUNDS = {"min_lon": 114.10, "min_lat": 30.45, "max_lon": 114.60, "max_lat": 30.75}  # demo city.yaml


def spark_submit() -> Path:
    try:
        import pyspark
    except ImportError:
        pytest.fail("pip pyspark is not installed in this environment (notebooks/requirements.txt)")
    path = Path(pyspark.__file__).resolve().parent / "bin" / "spark-submit"
    assert path.exists(), f"pip pyspark has no bin/spark-submit: {path}"
    return path


@pytest.mark.e2e
def test_export_geoparquet_reads_back_in_geopandas(warehouse, jar, tmp_path):
    # A copy of the demo config: nothing the run does can write beside the repository's one.
    config = tmp_path / "city.yaml"
    shutil.copy(DEMO_CONFIG, config)
    out = tmp_path / "exports"
    submit = spark_submit()
    java = shutil.which("java")
    assert java, "java is not on PATH: the export needs a Java 17 runtime"
    command = [
        str(submit), "--master", "local[2]", "--deploy-mode", "client",
        "--conf", f"spark.driver.extraJavaOptions={JAVA17_FLAGS} -XX:TieredStopAtLevel=1",
        "--conf", "spark.driver.memory=2g",
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.ui.enabled=false",
        str(jar), "export", "--city", str(config), "--date", SECOND_DATE,
        "--warehouse", str(warehouse), "--table", TABLE, "--format", "geoparquet", "--out", str(out),
    ]
    env = {**os.environ, "SPARK_HOME": str(submit.parent.parent), "PYSPARK_PYTHON": sys.executable,
           "SPARK_LOCAL_IP": "127.0.0.1", "DO_NOT_TRACK": "true",
           "PATH": f"{Path(java).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 0, f"export exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-6000:]}"

    written = out / f"{TABLE}_{DEMO_CITY}_{SECOND_DATE}.parquet"
    assert written.exists(), f"export wrote no {written}:\n{proc.stdout[-2000:]}"
    gdf = geopandas.read_parquet(written)

    assert gdf.crs is not None, "the GeoParquet has no CRS"
    assert gdf.crs.equals(pyproj.CRS("OGC:CRS84")) or gdf.crs.equals(
        pyproj.CRS("EPSG:4326"), ignore_axis_order=True), f"CRS is {gdf.crs.to_string()}"
    assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any(), \
        "rows without a community polygon"
    min_lon, min_lat, max_lon, max_lat = gdf.total_bounds
    assert BOUNDS["min_lon"] <= min_lon < max_lon <= BOUNDS["max_lon"], (min_lon, max_lon)
    assert BOUNDS["min_lat"] <= min_lat < max_lat <= BOUNDS["max_lat"], (min_lat, max_lat)

    rows = DeltaTable(str(warehouse / TABLE)).to_pandas(filters=[
        ("city_code", "=", DEMO_CITY), ("snapshot_date", "=", date.fromisoformat(SECOND_DATE))])
    assert len(rows) > 0, f"{TABLE} has no rows for {SECOND_DATE}"
    assert len(gdf) == len(rows), f"exported {len(gdf)} rows, the snapshot has {len(rows)}"
    assert sorted(gdf.community_code) == sorted(rows.community_code)
