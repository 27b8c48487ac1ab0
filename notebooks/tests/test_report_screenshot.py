"""The HTML report the `report` stage writes, opened in headless Chromium: the screenshot must show
the inline SVG map, i.e. a large block of pixels in the map's own fill colours, several of them.

Set LIFECIRCLE_REPORT_SCREENSHOT=path to keep the screenshot (docs/report-screenshot.png is one)."""

from __future__ import annotations

import os
import re
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


@pytest.mark.e2e
def test_report_screenshot_shows_the_map(warehouse, tmp_path):
    report = warehouse / "_reports" / DEMO_CITY / f"{SECOND_DATE}.html"
    assert report.is_file(), f"the report stage wrote no {report}"
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "</svg>" in html, f"{report} has no inline SVG map"
    svg = html[html.index("<svg"):html.index("</svg>")]
    # The fill colours of the map's community polygons (the colour ramp), from the SVG itself.
    fills = {hex_rgb(c.lower()) for c in re.findall(r'<path fill="(#[0-9a-fA-F]{6})"', svg)}
    assert len(fills) >= 2, f"the SVG map uses {len(fills)} fill colours: {fills}"

    png = tmp_path / "report.png"
    screenshot(report, png, tmp_path / "chromium-profile")
    if os.environ.get("LIFECIRCLE_REPORT_SCREENSHOT"):
        shutil.copy(png, os.environ["LIFECIRCLE_REPORT_SCREENSHOT"])
    image = Image.open(png).convert("RGB")
    assert image.size == (WIDTH, HEIGHT), image.size

    # Where the map's fill colours are on the screenshot: the map region.
    width, height = image.size
    pixels = image.load()
    xs, ys, seen, count = [], [], set(), 0
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            p = pixels[x, y]
            if p in fills:
                count += 1
                seen.add(p)
                xs.append(x)
                ys.append(y)
    assert count, "no pixel of the screenshot has a map fill colour: the SVG map did not render"
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    assert right - left >= 300 and bottom - top >= 200, \
        f"the map region is only {right - left}x{bottom - top} px"
    area = ((right - left) // 2 + 1) * ((bottom - top) // 2 + 1)
    assert count >= 0.2 * area, f"only {count} of {area} sampled map pixels are filled"
    assert len(seen) >= 2, f"the map shows {len(seen)} of its {len(fills)} fill colours"
    region = image.crop((left, top, right + 1, bottom + 1))
    colours = region.getcolors(maxcolors=region.size[0] * region.size[1])
    assert len(colours) >= 10, f"the map region has only {len(colours)} distinct colours"
