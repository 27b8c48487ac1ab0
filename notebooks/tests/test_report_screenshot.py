"""The HTML report the `report` stage writes, opened in headless Chromium: the screenshot must show
the map's layers (homes by coverage, other buildings, the walk network, facilities, the legend),
found by the colour each layer alone uses, and none of them once the map is cut out of the page.

Set LIFECIRCLE_REPORT_SCREENSHOT=path to keep the screenshot (docs/report-screenshot.png is one)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
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


def screenshot(html: Path, png: Path, profile: Path) -> None:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--disable-dev-shm-usage", "--no-first-run", "--force-device-scale-factor=1",
               f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
               f"--screenshot={png}", html.as_uri()]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and png.exists(), \
        f"chromium exited {proc.returncode} without {png}:\n{proc.stderr[-3000:]}"


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


# The map's layers, each drawn in a colour of its own (report/SvgMap.java).
LAYERS = {
    "homes covered": "#1a9850",
    "homes not covered": "#d73027",
    "other buildings": "#bdb4a8",
    "walk network": "#6f7fb0",
    "facilities": "#2166ac",
    "legend": "#fffbea",
}


def layer_pixels(png: Path) -> dict[str, int]:
    image = Image.open(png).convert("RGB")
    assert image.size == (WIDTH, HEIGHT), image.size
    counts = dict(image.getcolors(maxcolors=WIDTH * HEIGHT))
    by_colour = {v: k for k, v in counts.items()}
    return {layer: by_colour.get(hex_rgb(colour), 0) for layer, colour in LAYERS.items()}


@pytest.mark.e2e
def test_report_map_shows_network_footprints_facilities_and_legend(e2e_warehouse, tmp_path):
    report = e2e_warehouse / "_reports" / DEMO_CITY / f"{SECOND_DATE}.html"
    assert report.is_file(), f"the report stage wrote no {report}"
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "</svg>" in html, f"{report} has no inline SVG map"

    png = tmp_path / "report.png"
    screenshot(report, png, tmp_path / "chromium-profile")
    if os.environ.get("LIFECIRCLE_REPORT_SCREENSHOT"):
        shutil.copy(png, os.environ["LIFECIRCLE_REPORT_SCREENSHOT"])
    seen = layer_pixels(png)
    # Footprints and the legend panel are areas; the network, lines; facilities, small squares.
    minimum = {"homes covered": 500, "homes not covered": 500, "other buildings": 200,
               "walk network": 2000, "facilities": 100, "legend": 20000}
    missing = {layer: n for layer, n in seen.items() if n < minimum[layer]}
    assert not missing, f"layers with too few pixels of their colour: {missing} (all: {seen})"

    # The same page without its map: none of the layers' colours is left (the check can fail).
    bare = tmp_path / "bare.html"
    bare.write_text(html[:html.index("<svg")] + html[html.index("</svg>") + 6:], encoding="utf-8")
    screenshot(bare, tmp_path / "bare.png", tmp_path / "chromium-profile-bare")
    left = {layer: n for layer, n in layer_pixels(tmp_path / "bare.png").items() if n}
    assert not left, f"without the map, layer colours still show: {left}"
