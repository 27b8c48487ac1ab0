"""The HTML report the `report` stage writes, opened in headless Chromium: inside the map's drawing
area (the SVG plot, its bounding box from Chromium, the legend panel below it left out) the
screenshot must show each layer (homes by coverage, other buildings, the walk network, facilities,
recommended sites), found by the colour each layer alone uses; the legend must show every layer's
swatch, and the scale bar and north arrow must be drawn. None of the layers' colours is left once
the map is cut out of the page.

Set LIFECIRCLE_REPORT_SCREENSHOT=path to keep the screenshot (docs/report-screenshot.png is one)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from deltalake import DeltaTable
from PIL import Image

from notebook_testlib import DEMO_CITY, SECOND_DATE

WIDTH, HEIGHT = 1200, 4000  # tall enough that the page, map included, fits in one screenshot


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no headless browser: install the Debian package `chromium` "
                "(apt-get install chromium; .ci/run does this)", pytrace=False)


def screenshot(html: Path, png: Path, profile: Path) -> str:
    """Screenshot of the page, and its DOM after its scripts ran (one Chromium run)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--disable-dev-shm-usage", "--no-first-run", "--force-device-scale-factor=1",
               f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
               f"--screenshot={png}", "--dump-dom", html.as_uri()]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and png.exists(), \
        f"chromium exited {proc.returncode} without {png}:\n{proc.stderr[-3000:]}"
    return proc.stdout


# Run after the page's own script: picks the category to show, then records where Chromium drew the
# map's parts (page pixels, which are the screenshot's at scale factor 1) on <body data-boxes>.
PROBE = """<script>(function(){
var s=document.getElementById('lc-cat');
if(s&&s.value!==%(category)s){s.value=%(category)s;s.dispatchEvent(new Event('change'));}
var boxes={};
['lc-map','lc-plot','lc-legend','lc-scale','lc-north'].forEach(function(id){
var e=document.getElementById(id);if(!e)return;var r=e.getBoundingClientRect();
boxes[id]=[r.left,r.top,r.right,r.bottom];});
document.body.setAttribute('data-boxes',JSON.stringify(boxes));})();</script>"""


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


# The map's layers, each drawn in a colour of its own (report/SvgMap.java).
LAYERS = {
    "homes covered": "#1a9850",
    "homes not covered": "#d73027",
    "other buildings": "#bdb4a8",
    "walk network": "#6f7fb0",
    "facilities": "#2166ac",
    "recommended sites": "#9c27b0",
}
LEGEND_PANEL = "#fffbea"
BLACK = "#000000"


def colour_pixels(image: Image.Image, colours: dict[str, str]) -> dict[str, int]:
    # getcolors gives (count, colour) pairs: keyed by colour, as two colours can share a count.
    by_colour = {rgb: n for n, rgb in image.getcolors(maxcolors=image.width * image.height)}
    return {name: by_colour.get(hex_rgb(colour), 0) for name, colour in colours.items()}


def crop(image: Image.Image, box: list[float]) -> Image.Image:
    """The pixels wholly inside a bounding box (its edge pixels, shared with a border, left out)."""
    left, top, right, bottom = box
    return image.crop((int(left) + 1, int(top) + 1, int(right) - 1, int(bottom) - 1))


def category_to_show(html: str, e2e_warehouse: Path) -> tuple[str, bool]:
    """The category the page shows first, unless it has no recommended site and another has: then
    the first of those in the switch's order. Returns it and whether it has sites."""
    options = re.findall(r'<option value="([^"]+)"( selected)?>', html)
    assert options, "the report has no category switch"
    picks = DeltaTable(str(e2e_warehouse / "gap_fill_candidates")).to_pandas(
        partitions=[("city_code", "=", DEMO_CITY), ("snapshot_date", "=", SECOND_DATE)],
        columns=["category"])
    with_sites = [code for code, _ in options if code in set(picks.category)]
    shown = next(code for code, selected in options if selected)
    if shown in with_sites or not with_sites:
        return shown, bool(with_sites)
    return with_sites[0], True


@pytest.mark.e2e
def test_report_map_draws_every_layer_inside_its_plot_with_legend_scale_bar_and_north_arrow(
        e2e_warehouse, tmp_path):
    report = e2e_warehouse / "_reports" / DEMO_CITY / f"{SECOND_DATE}.html"
    assert report.is_file(), f"the report stage wrote no {report}"
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "</svg>" in html, f"{report} has no inline SVG map"

    category, has_sites = category_to_show(html, e2e_warehouse)
    probed = tmp_path / "probed.html"
    end = html.rindex("</body>")
    probed.write_text(html[:end] + PROBE % {"category": json.dumps(category)} + html[end:],
                      encoding="utf-8")
    png = tmp_path / "report.png"
    dom = screenshot(probed, png, tmp_path / "chromium-profile")
    if os.environ.get("LIFECIRCLE_REPORT_SCREENSHOT"):
        shutil.copy(png, os.environ["LIFECIRCLE_REPORT_SCREENSHOT"])
    found = re.search(r'<body[^>]* data-boxes="([^"]*)"', dom)
    assert found, "the probe script did not run (no data-boxes on <body>)"
    boxes = json.loads(found.group(1).replace("&quot;", '"'))
    missing = {"lc-map", "lc-plot", "lc-legend", "lc-scale", "lc-north"} - set(boxes)
    assert not missing, f"map parts not in the page: {sorted(missing)} (found {boxes})"
    image = Image.open(png).convert("RGB")
    assert image.size == (WIDTH, HEIGHT), image.size
    plot, legend = boxes["lc-plot"], boxes["lc-legend"]
    assert plot[3] <= legend[1], f"the legend {legend} overlaps the map's plot area {plot}"
    assert plot[3] < HEIGHT, f"the plot area {plot} runs past the screenshot ({HEIGHT} px)"

    # In the plot area, legend left out: footprints are areas, the network lines, facilities 8 px
    # squares, sites 16 px diamonds (any one of them more than a stray anti-aliased pixel).
    seen = colour_pixels(crop(image, plot), LAYERS)
    minimum = {"homes covered": 500, "homes not covered": 500, "other buildings": 200,
               "walk network": 2000, "facilities": 100, "recommended sites": 50 if has_sites else 0}
    too_few = {layer: n for layer, n in seen.items() if n < minimum[layer]}
    assert not too_few, (f"layers with too few pixels of their colour inside the map's plot area "
                         f"(category {category}): {too_few} (all: {seen})")

    # The legend: its panel and a swatch of every layer.
    in_legend = colour_pixels(crop(image, legend), {**LAYERS, "panel": LEGEND_PANEL})
    no_swatch = {name: n for name, n in in_legend.items() if n < (10000 if name == "panel" else 20)}
    assert not no_swatch, f"legend without these swatches: {no_swatch} (all: {in_legend})"

    # Scale bar and north arrow: drawn in black inside the map, the bar labelled with a length.
    svg = boxes["lc-map"]
    for part in ("lc-scale", "lc-north"):
        box = boxes[part]
        inside = svg[0] <= box[0] < box[2] <= svg[2] and svg[1] <= box[1] < box[3] <= svg[3]
        assert inside, f"{part} {box} is not inside the map {svg}"
        black = colour_pixels(image.crop(tuple(int(v) for v in box)), {"black": BLACK})["black"]
        assert black >= 40, f"{part} {box} has {black} black pixels"
    label = re.search(r'<g id="lc-scale">.*?<text[^>]*>([^<]*)</text>', dom)
    assert label and re.fullmatch(r"\d+ k?m", label.group(1)), \
        f"scale bar label: {label.group(1) if label else None!r}"

    # The same page without its map: none of the layers' colours is left (the check can fail).
    bare = tmp_path / "bare.html"
    bare.write_text(html[:html.index("<svg")] + html[html.index("</svg>") + 6:], encoding="utf-8")
    screenshot(bare, tmp_path / "bare.png", tmp_path / "chromium-profile-bare")
    left = {name: n for name, n in colour_pixels(
        Image.open(tmp_path / "bare.png").convert("RGB"), {**LAYERS, "panel": LEGEND_PANEL}).items()
        if n}
    assert not left, f"without the map, layer colours still show: {left}"
