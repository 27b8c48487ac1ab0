"""What every lifecircle notebook shares: the Spark session (our shaded jar brings Sedona and
Delta), reading one snapshot of a warehouse table, turning WKB geometry into GeoDataFrames in the
city's metric CRS, category names from the catalog, and small plotting helpers.

The notebooks import this module from their own folder (papermill --cwd notebooks, or Jupyter
started anywhere with the notebook opened from notebooks/).
"""

from __future__ import annotations

import glob
import json
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JAR_GLOB = str(REPO / "jobs" / "target" / "*-spark-submit.jar")
CATALOG = REPO / "catalogs" / "facility_categories.yaml"

# Spark 3.5 on Java 17: the JVM flags the build gives Spark (pom.xml <spark.jvm.flags>, which
# bin/lifecircle repeats), plus UTC as the jar's launcher sets it.
JAVA17_FLAGS = re.search(r"<spark\.jvm\.flags>(.*?)</spark\.jvm\.flags>",
                         (REPO / "pom.xml").read_text(encoding="utf-8"), re.S).group(1).strip() \
    + " -Duser.timezone=UTC"


def jar_path(jar: str | None = None) -> Path:
    """The shaded spark-submit jar: the argument, else $LIFECIRCLE_JAR, else the newest build."""
    jar = jar or os.environ.get("LIFECIRCLE_JAR")
    if jar:
        path = Path(jar)
    else:
        jars = sorted(glob.glob(JAR_GLOB), key=os.path.getmtime)
        if not jars:
            raise FileNotFoundError(
                f"no {JAR_GLOB}: build it with ./mvnw -B -pl jobs package -DskipTests, "
                "or set LIFECIRCLE_JAR")
        path = Path(jars[-1])
    if not path.is_file():
        raise FileNotFoundError(f"jar not found: {path}")
    return path


def spark_session(jar: str | None = None, app: str = "lifecircle notebook"):
    """A local SparkSession configured as org.lifecircle.common.SparkSessions configures the jar's
    own: Delta and Sedona through their SQL extensions, Kryo with Sedona's registrator, UTC."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("DO_NOT_TRACK", "true")  # Sedona's start-up telemetry stays off
    jar = str(jar_path(jar))
    master = os.environ.get("LIFECIRCLE_NOTEBOOK_MASTER", "local[2]")
    local = master.startswith("local")
    flags = JAVA17_FLAGS
    if local:
        # A notebook's JVM lives a minute or two: the quick JIT tier alone starts it much faster.
        flags += " -XX:TieredStopAtLevel=1"
    builder = (
        SparkSession.builder.appName(app).master(master)
        # The jar on the JVM's own class path: in local mode that is all the executors need too
        # (shipping the 90 MB jar through spark.jars costs ~10 s per notebook), and the jar's
        # log4j2.properties applies from the start (Spark, Delta, Sedona: warnings only).
        .config("spark.driver.extraClassPath", jar)
        .config("spark.sql.extensions",
                "io.delta.sql.DeltaSparkSessionExtension,org.apache.sedona.sql.SedonaSqlExtensions")
        .config("spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config("spark.kryo.registrator", "org.apache.sedona.core.serde.SedonaKryoRegistrator")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", os.environ.get("LIFECIRCLE_NOTEBOOK_DRIVER_MEMORY", "2g"))
        .config("spark.driver.extraJavaOptions", flags)
        .config("spark.executor.extraJavaOptions", JAVA17_FLAGS)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if not local:
        builder = builder.config("spark.jars", jar)  # executors on other machines need the jar
    return builder.getOrCreate()


def table_path(warehouse: str, name: str) -> str:
    path = Path(warehouse).expanduser().resolve() / name
    if not (path / "_delta_log").is_dir():
        raise FileNotFoundError(f"{path} is not a Delta table (no _delta_log): is {warehouse} "
                                "a lifecircle warehouse, and has the stage writing it run?")
    return str(path)


def read(spark, warehouse: str, name: str, city: str, date: str | None = None, version=None):
    """One city's rows of a warehouse table; with `date`, only that snapshot's partition; with
    `version`, the table as of that Delta version (time travel)."""
    from pyspark.sql import functions as F

    reader = spark.read.format("delta")
    if version is not None:
        reader = reader.option("versionAsOf", int(version))
    df = reader.load(table_path(warehouse, name)).where(F.col("city_code") == city)
    if date is not None:
        df = df.where(F.col("snapshot_date") == F.lit(date).cast("date"))
    return df


def metric_crs(spark, warehouse: str, name: str, city: str) -> str:
    """The city's metric CRS, from the table property lifecircle.crs.<city> the jar writes."""
    props = {r["key"]: r["value"] for r in
             spark.sql(f"SHOW TBLPROPERTIES delta.`{table_path(warehouse, name)}`").collect()}
    crs = props.get(f"lifecircle.crs.{city}")
    if not crs:
        raise ValueError(f"{name} has no table property lifecircle.crs.{city}: "
                         f"no snapshot of city {city} was written there")
    return crs


def to_gdf(df, geometry: str, crs: str):
    """A Spark DataFrame with a WKB column as a GeoDataFrame (the WKB column becomes `geometry`)."""
    import geopandas as gpd
    import shapely

    pdf = df.toPandas()
    geoms = shapely.from_wkb([bytes(b) if b is not None else None for b in pdf.pop(geometry)])
    return gpd.GeoDataFrame(pdf, geometry=list(geoms), crs=crs)


def categories() -> dict[str, dict]:
    """Facility categories from the catalog by code: name_zh, name_en, level, threshold_m..."""
    import yaml

    with open(CATALOG, encoding="utf-8") as f:
        return {c["code"]: c for c in yaml.safe_load(f)["categories"]}


def category_label(code: str) -> str:
    c = categories().get(code)
    return f"{c['name_zh']} {c['name_en']}" if c else code


def print_figure(name: str, value) -> None:
    """One machine-readable line, `FIGURE name = value`, that the tests compare with their own
    computation of the same figure."""
    print(f"FIGURE {name} = {json.dumps(value)}")


def base_map(ax, communities, title: str):
    """Community boundaries in thin grey under what is drawn (call it after the layers), the title,
    equal axes, no ticks or axis labels."""
    communities.boundary.plot(ax=ax, color="#bbbbbb", linewidth=0.4, zorder=0)
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    return ax


def indicators() -> dict[str, dict]:
    """City health-check indicators from catalogs/indicators.yaml by code: name_zh, name_en..."""
    import yaml

    with open(REPO / "catalogs" / "indicators.yaml", encoding="utf-8") as f:
        return {i["code"]: i for i in yaml.safe_load(f)["indicators"]}


def stop(spark) -> None:
    """Stops Spark and lets its JVM exit on its own (closing its stdin), so the kernel's shutdown
    does not kill the JVM half-way through its clean-up."""
    from pyspark import SparkContext

    spark.stop()
    gateway = SparkContext._gateway
    proc = getattr(gateway, "proc", None)
    if gateway is None or proc is None:
        return
    gateway.shutdown()
    SparkContext._gateway = SparkContext._jvm = None
    proc.stdin.close()  # the gateway server exits on EOF of its stdin
    try:
        proc.wait(timeout=60)
    except Exception:  # noqa: BLE001 (a JVM that hangs is killed with the kernel)
        pass
