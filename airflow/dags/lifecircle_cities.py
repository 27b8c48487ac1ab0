"""The cities the nightly life-circle pipeline runs for: one Airflow DAG each.

Plain Python data, read when the DAG file is parsed: no I/O, no Variables, no network. Paths are
relative to the Airflow Variable ``lifecircle_cities_dir`` (rendered at run time), so the same list
serves every deployment. Add a city by appending a ``City``; see airflow/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    code: str
    """Six-digit city code, the ``code`` in the city config and the ``city_code`` partition."""
    slug: str
    """Short lower-case name used in DAG ids, Spark application names and tags."""
    config: str
    """City config YAML, relative to the Variable ``lifecircle_cities_dir``."""
    schedule: str | None
    """Cron expression in ``timezone``; the run at 01:30 Beijing time processes the day just
    ended."""
    pool: str
    """Airflow pool the city's Spark tasks run in (create it before enabling the DAG)."""
    catchup: bool = False
    """Whether the scheduler creates runs for the dates missed since ``start_date``."""
    start_date: str = "2025-01-01"
    """First logical date (yyyy-MM-dd) in ``timezone``."""
    timezone: str = "Asia/Shanghai"
    max_quarantine_share: float = 0.05
    """quality-gate threshold: largest share of a source's rows allowed in quarantine."""
    max_coverage_drop: float = 0.10
    """quality-gate threshold: largest drop of coverage allowed against the previous snapshot."""
    mode: str = "full"
    """``full`` or ``incremental``: the jar's ``--full`` / ``--incremental`` for every stage task
    (the DAG param ``mode`` overrides it for one run, e.g. a full backfill). Incremental reuses the
    previous date's snapshot where a stage can, with the tables of a full run."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"city {self.code}: mode must be one of {MODES}, not {self.mode!r}")


MODES = ("full", "incremental")


CITIES: tuple[City, ...] = (
    City(
        code="990101",
        slug="demo",
        config="demo/city.yaml",
        schedule="30 1 * * *",
        pool="lifecircle_990101",
        catchup=False,
    ),
)
