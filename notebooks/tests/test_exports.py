"""The jar's `export` subcommand, run through pip pyspark's spark-submit as a cluster would run it,
writes ONE file per format that readers other than Spark open: geopandas opens the GeoParquet, the
GeoJSON and the GeoPackage (WGS84 lon/lat, inside the demo city, every row of the table's snapshot);
pyarrow finds the GeoParquet 1.1 `geo` metadata with its bbox covering; GDAL's `ogrinfo` (Debian
package gdal-bin; .ci/run installs it) opens the GeoPackage, and the GeoParquet where its GDAL has
the Parquet driver (Debian 12's GDAL 3.6 has not)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas
import pyarrow.parquet as pq
import pyproj
import pytest
from deltalake import DeltaTable

from lifecircle_nb import JAVA17_FLAGS
from notebook_testlib import DEMO_CITY, DEMO_CONFIG, SECOND_DATE

# The demo city.yaml's bounds.
BOUNDS = {"min_lon": 114.10, "min_lat": 30.45, "max_lon": 114.60, "max_lat": 30.75}
SUFFIX = {"geoparquet": ".parquet", "geojson": ".geojson", "gpkg": ".gpkg"}
# coverage_gaps has no geometry of its own (exported with community polygons); gap_fill_candidates
# is drawn by its site points.
TABLES = ["coverage_gaps", "gap_fill_candidates"]
EXPORTS = [(table, fmt) for table in TABLES for fmt in SUFFIX]


def spark_submit() -> Path:
    try:
        import pyspark
    except ImportError:
        pytest.fail("pip pyspark is not installed in this environment (notebooks/requirements.txt)")
    path = Path(pyspark.__file__).resolve().parent / "bin" / "spark-submit"
    assert path.exists(), f"pip pyspark has no bin/spark-submit: {path}"
    return path


def ogrinfo() -> str:
    path = shutil.which("ogrinfo")
    if not path:
        pytest.fail("no ogrinfo: install the Debian package `gdal-bin` "
                    "(apt-get install gdal-bin; .ci/run does this)", pytrace=False)
    return path


@pytest.fixture(scope="module")
def exported(e2e_warehouse, jar, tmp_path_factory):
    """Runs each export of EXPORTS once; returns {(table, format): the one file it wrote}."""
    tmp = tmp_path_factory.mktemp("exports")
    # A copy of the demo config: nothing the run does can write beside the repository's one.
    config = tmp / "city.yaml"
    shutil.copy(DEMO_CONFIG, config)
    out = tmp / "out"
    submit = spark_submit()
    java = shutil.which("java")
    assert java, "java is not on PATH: the export needs a Java 17 runtime"
    env = {**os.environ, "SPARK_HOME": str(submit.parent.parent), "PYSPARK_PYTHON": sys.executable,
           "SPARK_LOCAL_IP": "127.0.0.1", "DO_NOT_TRACK": "true",
           "PATH": f"{Path(java).parent}{os.pathsep}{os.environ['PATH']}"}
    # One spark-submit for every export (a JVM start costs more than an export of this city).
    command = [
        str(submit), "--master", "local[2]", "--deploy-mode", "client",
        "--conf", f"spark.driver.extraJavaOptions={JAVA17_FLAGS} -XX:TieredStopAtLevel=1",
        "--conf", "spark.driver.memory=2g",
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.ui.enabled=false",
        str(jar), "export", "--city", str(config), "--date", SECOND_DATE,
        "--warehouse", str(e2e_warehouse), "--out", str(out),
    ]
    for table in TABLES:
        command += ["--table", table]
    for fmt in SUFFIX:
        command += ["--format", fmt]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=tmp)
    assert proc.returncode == 0, \
        f"export exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-6000:]}"
    files = {}
    for table in TABLES:
        for fmt, suffix in SUFFIX.items():
            written = out / f"{table}_{DEMO_CITY}_{SECOND_DATE}{suffix}"
            assert written.is_file(), f"export wrote no file {written}:\n{proc.stdout[-2000:]}"
            files[(table, fmt)] = written
    # ONE file per export: no part-file folders, _SUCCESS, .crc or temporary files left beside.
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in files.values())
    return files


def snapshot(e2e_warehouse: Path, table: str):
    rows = DeltaTable(str(e2e_warehouse / table)).to_pandas(filters=[
        ("city_code", "=", DEMO_CITY), ("snapshot_date", "=", date.fromisoformat(SECOND_DATE))])
    assert len(rows) > 0, f"{table} has no rows for {SECOND_DATE}"
    return rows


def read(path: Path) -> geopandas.GeoDataFrame:
    return geopandas.read_parquet(path) if path.suffix == ".parquet" else geopandas.read_file(path)


@pytest.mark.e2e
@pytest.mark.parametrize("table,fmt", EXPORTS, ids=[f"{t}-{f}" for t, f in EXPORTS])
def test_geopandas_opens_every_export_in_lon_lat(exported, e2e_warehouse, table, fmt):
    gdf = read(exported[(table, fmt)])
    assert gdf.crs is not None, "the export has no CRS"
    assert gdf.crs.equals(pyproj.CRS("OGC:CRS84")) or gdf.crs.equals(
        pyproj.CRS("EPSG:4326"), ignore_axis_order=True), f"CRS is {gdf.crs.to_string()}"
    assert gdf.geometry.notna().all() and not gdf.geometry.is_empty.any(), "rows without geometry"
    min_lon, min_lat, max_lon, max_lat = gdf.total_bounds
    # lon/lat, not lat/lon: the longitudes lie in the city's longitude range and so on.
    assert BOUNDS["min_lon"] <= min_lon <= max_lon <= BOUNDS["max_lon"], (min_lon, max_lon)
    assert BOUNDS["min_lat"] <= min_lat <= max_lat <= BOUNDS["max_lat"], (min_lat, max_lat)

    rows = snapshot(e2e_warehouse, table)
    assert len(gdf) == len(rows), f"exported {len(gdf)} rows, the snapshot has {len(rows)}"
    if table == "coverage_gaps":
        assert sorted(gdf.community_code) == sorted(rows.community_code)
        assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    else:
        assert set(gdf.geom_type) == {"Point"}, "recommended sites are points"
        assert sorted(gdf.asset_id) == sorted(rows.asset_id)


@pytest.mark.e2e
def test_geoparquet_has_geo_metadata_with_crs84_and_the_bbox_covering(exported):
    path = exported[("coverage_gaps", "geoparquet")]
    meta = pq.read_metadata(path)
    geo = json.loads(meta.metadata[b"geo"])
    assert geo["version"] == "1.1.0"
    column = geo["columns"][geo["primary_column"]]
    assert column["encoding"] == "WKB"
    assert column["crs"]["id"] == {"authority": "OGC", "code": "CRS84"}
    covering = column["covering"]["bbox"]
    assert covering == {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}
    bbox = pq.read_table(path, columns=["bbox"]).column("bbox").combine_chunks()
    xmin = bbox.field("xmin").to_pylist()
    # Each row's covering is its geometry's bounds (geopandas computes those from the WKB).
    bounds = read(path).geometry.bounds
    assert xmin == pytest.approx(list(bounds.minx), abs=1e-9)
    assert bbox.field("ymax").to_pylist() == pytest.approx(list(bounds.maxy), abs=1e-9)


def ogr_feature_count(path: Path) -> int:
    proc = subprocess.run([ogrinfo(), "-ro", "-so", "-al", str(path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, f"ogrinfo exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    counts = re.findall(r"^Feature Count: (\d+)$", proc.stdout, re.MULTILINE)
    assert len(counts) == 1, f"ogrinfo shows {len(counts)} layers:\n{proc.stdout}"
    return int(counts[0])


@pytest.mark.e2e
@pytest.mark.parametrize("table", ["coverage_gaps", "gap_fill_candidates"])
def test_ogrinfo_opens_the_geopackage(exported, e2e_warehouse, table):
    assert ogr_feature_count(exported[(table, "gpkg")]) == len(snapshot(e2e_warehouse, table))


@pytest.mark.e2e
def test_ogrinfo_opens_the_geoparquet_where_gdal_reads_parquet(exported, e2e_warehouse):
    formats = subprocess.run([ogrinfo(), "--formats"], capture_output=True, text=True).stdout
    if not re.search(r"^\s*Parquet\b", formats, re.MULTILINE):
        pytest.skip("this GDAL has no Parquet driver (Debian 12's GDAL 3.6 lacks it): pyarrow and "
                    "geopandas check the GeoParquet above")
    path = exported[("coverage_gaps", "geoparquet")]
    assert ogr_feature_count(path) == len(snapshot(e2e_warehouse, "coverage_gaps"))
