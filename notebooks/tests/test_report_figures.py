"""The HTML report's headline figures (uncovered target residents per category among them), its
top-10 gaps, city-level indicators and recommendations, recomputed or read from the demo
warehouse's Delta tables with delta-rs (no Spark, no project code) and the catalogs, as
docs/TABLES.md ("Headline figures") defines them; the report must show the same numbers."""

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
    """The figures (data-figure/data-value cells, wherever they are) and every table with an id:
    its body rows, each as its data-* attributes and its cells' text."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, int] = {}
        self.tables: dict[str, list[dict]] = {}
        self._table = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("id")
        elif tag == "td" and "data-figure" in a:
            self.figures[a["data-figure"]] = int(a["data-value"])
        if self._table is None:
            return
        if tag == "tr" and any(k.startswith("data-") for k in a):
            self.tables.setdefault(self._table, []).append(
                {"data": {k[5:]: v for k, v in a.items() if k.startswith("data-")}, "cells": []})
        elif tag == "td" and self.tables.get(self._table):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.tables[self._table][-1]["cells"].append("".join(self._cell))
            self._cell = None
        elif tag == "table":
            self._table = None

    @property
    def gaps(self) -> list[dict[str, str]]:
        return [row["data"] for row in self.tables.get("top-gaps", [])]


def report_page(e2e_warehouse: Path) -> ReportData:
    report = e2e_warehouse / "_reports" / DEMO_CITY / f"{SECOND_DATE}.html"
    assert report.is_file(), f"the report stage wrote no {report}"
    page = ReportData()
    page.feed(report.read_text(encoding="utf-8"))
    return page


def catalog(name: str) -> dict:
    # BaseLoader: every value a string (YAML 1.1 would read the target 3_5 as the integer 35).
    return yaml.load((REPO / "catalogs" / name).read_text("utf-8"), Loader=yaml.BaseLoader)


def expected_figures(e2e_warehouse: Path) -> dict[str, int]:
    bands_of = {c["code"]: TARGET_BANDS[c["target"]]
                for c in catalog("facility_categories.yaml")["categories"]}
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
    # Per category, the residents of its target bands in homes it does not cover (a home without
    # an access row for the category is not covered).
    covered = access[access.covered]
    uncovered = {}
    for cat, bands in bands_of.items():
        target = homes[bands].sum(axis=1)
        is_covered = homes.building_id.isin(covered.building_id[covered.category == cat])
        uncovered[f"uncovered.{cat}"] = int(target[~is_covered].sum())
    areas = snapshot(e2e_warehouse, "admin_areas", ["area_code", "level"])
    communities = coverage[coverage.area_level == "community"].drop_duplicates("area_code")
    populated = communities[communities.residents > 0]
    return {
        "residents": int(homes.residents.sum()),
        "homes": len(homes),
        "unmet_residents": unmet,
        "communities": areas[areas.level == "community"].area_code.nunique(),
        "populated_communities": len(populated),
        "complete_communities": int((populated.complete_community == True).sum()),  # noqa: E712
        "distance_gaps": int((gaps.gap_kind == "distance").sum()),
        "capacity_gaps": int((gaps.gap_kind == "capacity").sum()),
        **uncovered,
    }


@pytest.mark.e2e
def test_headline_figures_and_top_gaps_match_the_tables(e2e_warehouse):
    page = report_page(e2e_warehouse)
    expected = expected_figures(e2e_warehouse)
    assert {k: page.figures.get(k) for k in expected} == expected
    assert set(page.figures) == set(expected), "figures the test does not recompute"
    # Some category leaves someone uncovered, or the per-category check would hold on zeros.
    assert any(v for k, v in expected.items() if k.startswith("uncovered."))
    # Every community is in community_coverage, with or without residents.
    areas = snapshot(e2e_warehouse, "admin_areas", ["area_code", "level"])
    coverage = snapshot(e2e_warehouse, "community_coverage", ["area_level", "area_code"])
    assert set(areas[areas.level == "community"].area_code) == \
        set(coverage[coverage.area_level == "community"].area_code)
    # Distinct people are at most everyone, and no fewer than the largest single category's gap.
    assert 0 < expected["unmet_residents"] <= expected["residents"]
    assert expected["unmet_residents"] >= max(
        v for k, v in expected.items() if k.startswith("uncovered."))

    ledger = snapshot(e2e_warehouse, "coverage_gaps",
                      ["rank", "community_code", "category", "gap_kind", "severity",
                       "target_residents_uncovered"])
    # One ranking over both kinds: ranks 1..n, ordered by severity.
    assert sorted(ledger["rank"]) == list(range(1, len(ledger) + 1))
    by_rank = ledger.sort_values("rank")
    assert by_rank.severity.is_monotonic_decreasing
    top = by_rank.head(10)
    # Severity as a number (the page's text is the double's shortest round-trip form).
    shown = [dict(g, severity=float(g["severity"])) for g in page.gaps]
    assert shown == [
        {"rank": str(r.rank), "community": r.community_code, "category": r.category,
         "kind": r.gap_kind, "uncovered": str(r.target_residents_uncovered),
         "severity": r.severity}
        for r in top.itertuples()]


@pytest.mark.e2e
def test_indicators_and_recommendations_tables_match_the_tables(e2e_warehouse):
    page = report_page(e2e_warehouse)

    # City-level indicators: every row, its target and met / not met, the flag recomputed from
    # the value and the catalog's target (value and direction).
    targets = {i["code"]: i["target"] for i in catalog("indicators.yaml")["indicators"]}
    ind = snapshot(e2e_warehouse, "checkup_indicators",
                   ["area_level", "indicator_code", "breakdown", "value", "target",
                    "meets_target"])
    ind = ind[ind.area_level == "city"].sort_values(
        ["indicator_code", "breakdown"], na_position="first")
    rows = page.tables.get("indicators", [])
    assert [(r["data"]["indicator"], r["data"].get("breakdown")) for r in rows] == \
        [(r.indicator_code, None if pd.isna(r.breakdown) else r.breakdown)
         for r in ind.itertuples()]
    with_target = 0
    for row, r in zip(rows, ind.itertuples(), strict=True):
        target = targets[r.indicator_code]
        where = f"indicator {r.indicator_code} {row['cells']}"
        if target == "null" or pd.isna(r.value):
            assert pd.isna(r.meets_target) and row["cells"][3] == "—", where
            continue
        with_target += 1
        goal = float(target["value"])
        met = r.value >= goal if target["direction"] == "at_least" else r.value <= goal
        assert (r.target, r.meets_target) == (goal, met), where
        assert float(row["data"]["target"]) == goal and row["data"]["met"] == str(met).lower()
        assert row["cells"][2] != "—", where
        assert row["cells"][3] == ("达标 met" if met else "未达标 not met"), where
    assert with_target, "no city-level indicator with a target: the met column is untested"

    # Recommendations: categories by the residents their picks newly cover (most first, ties by
    # code), picks in order; usable area of the asset's kind (a building's floor area, a parcel's
    # land area, as idle_assets has them) and newly covered residents as the table holds them.
    picks = snapshot(e2e_warehouse, "gap_fill_candidates",
                     ["category", "rank", "asset_id", "kind", "usable_area_m2",
                      "usable_area_kind", "newly_covered_target_residents"])
    assets = DeltaTable(str(e2e_warehouse / "idle_assets")).to_pandas(
        partitions=[("city_code", "=", DEMO_CITY)],
        columns=["asset_id", "floor_area_m2", "land_area_m2"])
    picks = picks.merge(assets, on="asset_id", how="left", validate="many_to_one")
    gain = picks.groupby("category").newly_covered_target_residents.sum()
    picks["gain"] = picks.category.map(gain)
    picks = picks.sort_values(["gain", "category", "rank"], ascending=[False, True, True])
    assert picks.category.nunique() > 1, "one category: the order across categories is untested"
    rows = page.tables.get("recommendations", [])
    assert [(r["data"]["category"], int(r["data"]["pick"]), r["data"]["asset"]) for r in rows] == \
        [(r.category, r.rank, r.asset_id) for r in picks.itertuples()]
    for row, r in zip(rows, picks.itertuples(), strict=True):
        where = f"pick {r.category} #{r.rank} {r.asset_id} ({r.kind}): {row['cells']}"
        building = r.kind == "building"
        kind, area = ("floor", r.floor_area_m2) if building else ("land", r.land_area_m2)
        assert (r.usable_area_kind, r.usable_area_m2) == (kind, area), where
        assert row["data"]["usable-area-kind"] == kind, where
        assert float(row["data"]["usable-area"]) == area, where
        assert row["cells"][6] == f"{area:,.0f} m² " + \
            ("建筑面积 floor" if kind == "floor" else "用地面积 land"), where
        assert int(row["data"]["newly-covered"]) == r.newly_covered_target_residents, where
        assert row["cells"][7] == f"{r.newly_covered_target_residents:,}", where
