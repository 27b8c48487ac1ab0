"""The HTML report's headline figures and top-10 gaps, recomputed from the demo warehouse's Delta
tables with delta-rs (no Spark, no project code) and the facility catalog, as docs/TABLES.md
("Headline figures") defines them; the report must show the same numbers."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from deltalake import DeltaTable

from notebook_testlib import DEMO_CITY, REPO, SECOND_DATE

BANDS = ["pop_0_2", "pop_3_5", "pop_6_11", "pop_12_14", "pop_15_59", "pop_60_64", "pop_65_79",
         "pop_80_plus"]
# The catalog's `target` groups as age bands (catalogs/facility_categories.yaml header).
TARGET_BANDS = {"all": BANDS, "0_2": ["pop_0_2"], "3_5": ["pop_3_5"], "6_11": ["pop_6_11"],
                "12_14": ["pop_12_14"], "60_plus": ["pop_60_64", "pop_65_79", "pop_80_plus"],
                "65_plus": ["pop_65_79", "pop_80_plus"]}


def snapshot(e2e_warehouse: Path, table: str, columns: list[str]) -> pd.DataFrame:
    df = DeltaTable(str(e2e_warehouse / table)).to_pandas(
        partitions=[("city_code", "=", DEMO_CITY), ("snapshot_date", "=", SECOND_DATE)],
        columns=columns)
    assert len(df), f"{table} has no rows for {DEMO_CITY} on {SECOND_DATE}"
    return df


class ReportData(HTMLParser):
    """The figures (data-figure/data-value cells) and the top-gaps rows (data-* on each row)."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, int] = {}
        self.gaps: list[dict[str, str]] = []
        self._table = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id")
        elif tag == "td" and "data-figure" in a:
            self.figures[a["data-figure"]] = int(a["data-value"])
        elif tag == "tr" and self._table == "top-gaps" and "data-rank" in a:
            self.gaps.append({k[5:]: v for k, v in a.items() if k.startswith("data-")})

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None


def expected_figures(e2e_warehouse: Path) -> dict[str, int]:
    # BaseLoader: every value a string (YAML 1.1 would read the target 3_5 as the integer 35).
    catalog = yaml.load((REPO / "catalogs" / "facility_categories.yaml").read_text("utf-8"),
                        Loader=yaml.BaseLoader)
    bands_of = {c["code"]: TARGET_BANDS[c["target"]] for c in catalog["categories"]}
    homes = snapshot(e2e_warehouse, "building_population", ["building_id", "residents"] + BANDS)
    access = snapshot(e2e_warehouse, "building_access", ["building_id", "category", "covered"])
    coverage = snapshot(e2e_warehouse, "community_coverage",
                        ["area_level", "area_code", "residents", "complete_community"])
    gaps = snapshot(e2e_warehouse, "coverage_gaps", ["gap_kind"])

    # Distinct people with at least one unmet category: per home, every band some uncovered
    # category targets, counted once.
    unmet_bands: dict[str, set[str]] = {}
    for b, cat in access.loc[~access.covered, ["building_id", "category"]].itertuples(index=False):
        unmet_bands.setdefault(b, set()).update(bands_of[cat])
    unmet = sum(int(sum(row[band] for band in unmet_bands.get(row["building_id"], ())))
                for row in homes.to_dict("records"))
    communities = coverage[coverage.area_level == "community"].drop_duplicates("area_code")
    populated = communities[communities.residents > 0]
    return {
        "residents": int(homes.residents.sum()),
        "homes": len(homes),
        "unmet_residents": unmet,
        "populated_communities": len(populated),
        "complete_communities": int((populated.complete_community == True).sum()),  # noqa: E712
        "distance_gaps": int((gaps.gap_kind == "distance").sum()),
        "capacity_gaps": int((gaps.gap_kind == "capacity").sum()),
    }


@pytest.mark.e2e
def test_headline_figures_and_top_gaps_match_the_tables(e2e_warehouse):
    report = e2e_warehouse / "_reports" / DEMO_CITY / f"{SECOND_DATE}.html"
    assert report.is_file(), f"the report stage wrote no {report}"
    page = ReportData()
    page.feed(report.read_text(encoding="utf-8"))

    expected = expected_figures(e2e_warehouse)
    assert {k: page.figures.get(k) for k in expected} == expected
    # Every community is in community_coverage, with or without residents.
    areas = DeltaTable(str(e2e_warehouse / "admin_areas")).to_pandas(
        partitions=[("city_code", "=", DEMO_CITY), ("snapshot_date", "=", SECOND_DATE)],
        columns=["area_code", "level"])
    coverage = snapshot(e2e_warehouse, "community_coverage", ["area_level", "area_code"])
    assert set(areas[areas.level == "community"].area_code) == \
        set(coverage[coverage.area_level == "community"].area_code)
    # Distinct people are at most everyone, and no fewer than the largest single category's gap.
    assert 0 < expected["unmet_residents"] <= expected["residents"]

    ledger = snapshot(e2e_warehouse, "coverage_gaps",
                      ["rank", "community_code", "category", "gap_kind", "severity",
                       "target_residents_uncovered"])
    # One ranking over both kinds: ranks 1..n, ordered by severity.
    assert sorted(ledger["rank"]) == list(range(1, len(ledger) + 1))
    by_rank = ledger.sort_values("rank")
    assert by_rank.severity.is_monotonic_decreasing
    top = by_rank.head(10)
    assert page.gaps == [
        {"rank": str(r.rank), "community": r.community_code, "category": r.category,
         "kind": r.gap_kind, "uncovered": str(r.target_residents_uncovered)}
        for r in top.itertuples()]
