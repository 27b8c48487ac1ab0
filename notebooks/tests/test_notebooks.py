"""Every notebook executed with papermill against the two-snapshot demo warehouse: no cell may fail,
every figure must come out as a PNG that is not blank, every table must have rows, and the figures a
notebook prints (`FIGURE name = json`) must equal the same figures computed here from the Delta
tables with delta-rs (the `deltalake` package), without Spark."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import date
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from deltalake import DeltaTable
from PIL import Image

from notebook_testlib import DEMO_CITY, FIRST_DATE, NOTEBOOKS, SECOND_DATE

# Notebook -> (parameters, figures at least, tables at least).
RUNS = {
    "coverage_gaps": ({"snapshot_date": FIRST_DATE}, 3, 4),
    "idle_assets": ({"snapshot_date": SECOND_DATE}, 4, 3),
    "snapshot_diff": ({"previous_date": FIRST_DATE, "snapshot_date": SECOND_DATE}, 2, 5),
    "checkup_indicators": ({"snapshot_date": SECOND_DATE}, 3, 3),
}
FIGURE_LINE = re.compile(r"^FIGURE (\w+) = (.*)$", re.M)


@pytest.fixture(scope="module")
def executed(warehouse, jar, jupyter_kernel, tmp_path_factory):
    """Runs a notebook once per module (papermill, this venv's kernel, cwd notebooks/) and returns
    the executed copy, written to a temporary folder."""
    out_dir = tmp_path_factory.mktemp("executed-notebooks")
    done: dict[str, nbformat.NotebookNode] = {}

    def run(name: str) -> nbformat.NotebookNode:
        if name not in done:
            params, _, _ = RUNS[name]
            output = out_dir / f"{name}.ipynb"
            papermill.execute_notebook(
                str(NOTEBOOKS / f"{name}.ipynb"), str(output),
                parameters={"warehouse": str(warehouse), "city": DEMO_CITY, "jar": str(jar),
                            **params},
                kernel_name=jupyter_kernel, cwd=str(NOTEBOOKS), progress_bar=False,
                execution_timeout=300)
            done[name] = nbformat.read(output, as_version=4)
        return done[name]

    return run


def printed_figures(nb) -> dict:
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []) if o.get("output_type") == "stream")
    return {m.group(1): json.loads(m.group(2)) for m in FIGURE_LINE.finditer(text)}


def assert_not_blank(png: bytes, where: str) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    assert width >= 200 and height >= 150, f"{where}: figure only {width}x{height} px"
    colours = image.getcolors(maxcolors=width * height)
    assert len(colours) > 1, f"{where}: the figure is one flat colour"
    background = max(colours)[1]
    drawn = sum(n for n, c in colours if c != background)
    assert drawn >= 0.02 * width * height, (
        f"{where}: only {drawn} of {width * height} pixels differ from the background")
    assert len(colours) >= 8, f"{where}: only {len(colours)} colours: nothing plotted?"


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(RUNS))
def test_notebook_runs_with_figures_and_tables(executed, name):
    nb = executed(name)
    _, min_figures, min_tables = RUNS[name]
    figures = tables = 0
    assert min_figures > 0 and min_tables > 0, name
    assert nb.cells, f"{name}.ipynb has no cells"
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        where = f"{name}.ipynb cell {index}"
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        assert not errors, f"{where}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        pngs = [o["data"]["image/png"] for o in outputs if "image/png" in o.get("data", {})]
        if "plt.show()" in cell.source:
            assert pngs, f"{where} draws a figure but has no image/png output"
        for png in pngs:
            assert_not_blank(base64.b64decode(png), where)
            figures += 1
        for o in outputs:
            html = o.get("data", {}).get("text/html", "")
            if "<table" in html:
                body = html.split("<tbody>", 1)[-1]
                assert "<tr" in body, f"{where}: the table has no rows"
                tables += 1
    assert figures >= min_figures, f"{name}: {figures} figures, expected at least {min_figures}"
    assert tables >= min_tables, f"{name}: {tables} tables, expected at least {min_tables}"


# -------------------------------------------------------------------------------------------------
# The figures the notebooks print, computed again from the Delta tables with delta-rs.

def delta(warehouse: Path, table: str, snapshot: str | None = None) -> pd.DataFrame:
    filters = [("city_code", "=", DEMO_CITY)]
    if snapshot:
        filters.append(("snapshot_date", "=", date.fromisoformat(snapshot)))
    df = DeltaTable(str(warehouse / table)).to_pandas(filters=filters)
    assert len(df), f"{table}: no rows for city {DEMO_CITY} {snapshot or ''}"
    return df


@pytest.mark.e2e
def test_coverage_gaps_figures_match_the_gap_ledger(executed, warehouse):
    printed = printed_figures(executed("coverage_gaps"))
    gaps = delta(warehouse, "coverage_gaps", FIRST_DATE)
    distance = gaps[gaps.gap_kind == "distance"]
    expected = distance.groupby("category").target_residents_uncovered.sum()
    assert printed["uncovered_by_category"] == {k: int(v) for k, v in expected.items()}
    assert printed["communities_with_gaps"] == distance.community_code.nunique()


@pytest.mark.e2e
def test_idle_assets_figures_match_the_tables(executed, warehouse):
    printed = printed_figures(executed("idle_assets"))
    day = date.fromisoformat(SECOND_DATE)
    assets = delta(warehouse, "idle_assets")
    idle = assets[(assets.first_seen <= day) & (assets.last_seen >= day)]  # datetime.date values
    assert printed["idle_assets"] == len(idle) > 0
    picks = delta(warehouse, "gap_fill_candidates", SECOND_DATE)
    expected = picks.groupby("category").newly_covered_target_residents.sum()
    assert printed["newly_covered_by_category"] == {k: int(v) for k, v in expected.items()}


@pytest.mark.e2e
def test_snapshot_diff_figures_match_the_two_partitions(executed, warehouse):
    printed = printed_figures(executed("snapshot_diff"))
    key = ["community_code", "category", "gap_kind"]
    before = set(map(tuple, delta(warehouse, "coverage_gaps", FIRST_DATE)[key].values))
    after = set(map(tuple, delta(warehouse, "coverage_gaps", SECOND_DATE)[key].values))
    assert printed["new_gaps"] == len(after - before)
    assert printed["closed_gaps"] == len(before - after)
    assert printed["new_gaps"] + printed["closed_gaps"] > 0, "the drifted snapshot changed no gap"
    assets = delta(warehouse, "idle_assets")
    first, second = date.fromisoformat(FIRST_DATE), date.fromisoformat(SECOND_DATE)
    reused = [a for a in assets.itertuples()
              if a.status == "reused" and a.closed_on and first < a.closed_on <= second]
    assert printed["reused_assets"] == len(reused) > 0


@pytest.mark.e2e
def test_checkup_indicator_status_matches_the_table(executed, warehouse):
    printed = printed_figures(executed("checkup_indicators"))
    rows = delta(warehouse, "checkup_indicators", SECOND_DATE)
    city = rows[rows.area_level == "city"]
    expected = {"met": int((city.meets_target == True).sum()),  # noqa: E712 (nullable booleans)
                "not met": int((city.meets_target == False).sum()),  # noqa: E712
                "no target": int(city.meets_target.isna().sum())}
    assert printed["city_target_status"] == {k: v for k, v in expected.items() if v}


@pytest.mark.parametrize("name", list(RUNS))
def test_committed_notebook_has_no_outputs(name):
    """Executed outputs stay out of git: the tests write executed copies to a temporary folder."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    with_outputs = [i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not with_outputs, f"{name}.ipynb is committed with outputs in cells {with_outputs}"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}.ipynb needs one cell tagged `parameters` for papermill"
