"""Charts for the PDF: a page's Vega-Lite chart drawn to PNG by vl-convert (no browser), in the
PDF's bundled font, at the PDF's page width. Imported only when a PDF is written."""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Mapping
from pathlib import Path

from dashboard.render import pdf_values
from dashboard.render.charts import CONFIG, VegaLite

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
# The same family in charts, registered with vl-convert. vl-convert draws no text at all in a
# font it cannot find, so the list falls back to its own bundled Liberation Sans ("sans-serif"
# when the machine has no fonts).
CHART_FONT = "DejaVu Sans, sans-serif"
CHART_WIDTH_PX = 510  # A4 width less margins (180 mm) in points: a chart is drawn at 1 px = 1 pt
ROW_CHART_WIDTH_PX = 330  # a chart in a row of charts (``Report.chart_row``), drawn smaller
CHART_HEIGHT_PX = 300  # for a chart whose height is "container"
CHART_SCALE = 2  # PNG pixels per CSS pixel: 144 dpi at the size drawn


_fonts_registered = threading.Lock()
_registered: list[bool] = []


def _register_fonts() -> None:
    """Give vl-convert the bundled font, once per process (it also bundles Liberation Sans;
    without this, charts on a machine without DejaVu would fall back to that)."""
    import vl_convert

    with _fonts_registered:
        if not _registered:
            vl_convert.register_font_directory(str(FONT_DIR))
            _registered.append(True)


def chart_spec(chart: object, width_px: int = CHART_WIDTH_PX) -> dict:
    """The Vega-Lite spec the PDF draws: the page's spec (``ui.chart_block``: ``charts.CONFIG``
    merged in), its data inline, and a fixed width where the page's was "container"."""
    if isinstance(chart, VegaLite):
        spec = dict(chart.spec)
        if chart.data is not None:
            spec["data"] = {"values": pdf_values.records(chart.data)}
    elif isinstance(chart, Mapping):
        spec = dict(chart)
    else:
        raise TypeError(f"not a chart: {type(chart).__name__}")
    spec["config"] = {"font": CHART_FONT, **CONFIG, **spec.get("config", {})}
    composite = any(key in spec for key in ("hconcat", "vconcat", "concat", "facet", "repeat"))
    if not composite and spec.get("width", "container") == "container":
        spec["width"] = width_px
        spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    if spec.get("height") == "container":
        spec["height"] = CHART_HEIGHT_PX
    return spec


def chart_png(chart: object, width_px: int = CHART_WIDTH_PX) -> bytes:
    """The chart (see ``chart_spec``) as PNG at ``CHART_SCALE`` times its size."""
    import vl_convert

    _register_fonts()
    text = json.dumps(chart_spec(chart, width_px), default=pdf_values.json_default, allow_nan=False)
    # The data is inline: nothing is fetched (allowed_base_urls=[] refuses any "url").
    return vl_convert.vegalite_to_png(text, scale=CHART_SCALE, allowed_base_urls=[])


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])
