"""The KPI report of the e2e fixture warehouse in headless Chromium (Debian package `chromium`,
installed by `make browser`, a prerequisite of `make test`): no console message, one drawn
chart per kpi_id that has monthly rows, and a screenshot that is not blank."""

from __future__ import annotations

import os
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
import report
from PIL import Image, ImageStat

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = PROJECT_ROOT / "target" / "report-browser" / "report.png"


@pytest.fixture(autouse=True)
def chromium() -> None:
    if report.chromium_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: `make browser` installs it")
        pytest.skip("chromium is not installed: `make browser` installs it")


@pytest.fixture(scope="module")
def e2e_report(e2e_warehouse: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "index.html"
    assert report.main(["--db", str(e2e_warehouse), "--out", str(out), "--quiet"]) == 0
    return out


class ChartCount(HTMLParser):
    """How many <svg> elements carry each data-kpi-id, and how many drawn paths each has."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: Counter[str] = Counter()
        self.paths: Counter[str] = Counter()
        self.inside: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "svg":
            self.depth += 1
            if found.get("data-kpi-id"):
                self.inside = str(found["data-kpi-id"])
                self.charts[self.inside] += 1
        elif tag == "path" and self.inside:
            self.paths[self.inside] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.depth -= 1
            if self.depth == 0:
                self.inside = None


def pixel_spread(png: Path) -> tuple[float, float]:
    """The standard deviation of the grey levels and the share of pixels darker than 200."""
    grey = Image.open(png).convert("L")
    histogram = grey.histogram()
    dark = sum(histogram[:200]) / (grey.width * grey.height)
    return ImageStat.Stat(grey).stddev[0], dark


def test_console_messages_are_caught(tmp_path):
    # the check below is only worth something if a page's console reaches us
    page = tmp_path / "noisy.html"
    page.write_text(
        '<!DOCTYPE html><html><body><script>console.error("boom-4242")</script></body></html>',
        encoding="utf-8",
    )
    run = report.run_chromium(page, ["--dump-dom"])
    assert len(run.console) == 1
    assert "boom-4242" in run.console[0]


def test_report_logs_nothing_to_the_console(e2e_report):
    run = report.run_chromium(e2e_report, ["--dump-dom"])
    assert run.console == []
    assert "<h1>Customer-service KPI report</h1>" in run.dom


def test_every_kpi_with_monthly_rows_has_a_drawn_chart(e2e_report, e2e_warehouse, query):
    expected = {
        kpi_id
        for (kpi_id,) in query(
            e2e_warehouse,
            "select distinct kpi_id from marts.kpi_values where period_grain = 'month'"
            " and kpi_id in (select kpi_id from reference.kpi_definitions)",
        )
    }
    counter = ChartCount()
    counter.feed(report.run_chromium(e2e_report, ["--dump-dom"]).dom)
    # one chart per kpi_id, and no chart of a kpi_id without rows
    assert counter.charts == Counter(dict.fromkeys(expected, 1))
    # every chart has drawn paths (axes, ticks, the value line): at least 5
    assert min(counter.paths[kpi_id] for kpi_id in expected) >= 5


def test_screenshot_is_not_blank(e2e_report, tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    report.screenshot(blank, tmp_path / "blank.png", 800, 600)
    # the control: a white page has one grey level and no dark pixel
    assert pixel_spread(tmp_path / "blank.png") == (0.0, 0.0)

    report.screenshot(e2e_report, SCREENSHOT, 1280, 1800)
    with Image.open(SCREENSHOT) as image:
        assert image.size == (1280, 1800)
    spread, dark = pixel_spread(SCREENSHOT)
    # text, tables and charts on white: measured about SPREAD and DARK on the e2e report
    assert spread > 20
    assert dark > 0.02
