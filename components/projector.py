"""The projector layout: one stylesheet for 投屏模式 and one for 会议投屏's slides, and the chart
fonts both use. Pages never style themselves for a projector; they call these.

Slides fill the screen and never scroll, at 1280×720 as at 1920×1080 (tests/browser/
test_projector.py): the type follows the screen height (`clamp(…vh…)`), the page is a column of
fixed chrome (control bar, title, caption) and one body, `slide_body()`, that takes the rest;
charts in it are drawn with height="stretch", so they shrink or grow with the screen instead of
pushing the page taller. Tables are plain HTML (st.table) so the large type applies; their first
column (a name) may wrap, the others keep one line. Labels of buttons and KPI values are never
ellipsised: KPI values scale with their card's width (container query units) and wrap at a space.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

# Text that must show whole: labels and values never end in "…" (they wrap or scale instead).
_WHOLE_TEXT = """
[data-testid="stMain"] button p, [data-testid="stMain"] button div {white-space: nowrap !important;
  overflow: visible !important; text-overflow: clip !important;}
[data-testid="stMetric"] {container-type: inline-size;}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {overflow: visible !important;
  text-overflow: clip !important; white-space: normal !important;}
"""

# 投屏模式 on any page: large type, no sidebar, a watermark.
PRESENTING_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"] {display: none !important;}
html, body, [data-testid="stAppViewContainer"] {font-size: 22px;}
h1 {font-size: 3.0rem !important;}
h2, h3 {font-size: 2.1rem !important;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {font-size: min(3.2rem, 17cqi) !important; line-height: 1.2;}
[data-testid="stMetricLabel"] p {font-size: 1.15rem !important;}
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"], [data-testid="stText"] {font-size: 1.15rem;}
[data-testid="stTab"] p, [data-testid="stExpander"] summary p {font-size: 1.3rem !important;}
[data-testid="stTable"] td, [data-testid="stTable"] th {font-size: 1.15rem !important;}
[data-testid="stVegaLiteChart"] {min-height: 360px;}
%(whole)s
.caredesk-watermark {position: fixed; right: 1.2rem; bottom: 0.8rem; opacity: 0.35; font-size: 0.9rem;
  pointer-events: none; z-index: 999990; color: #555;}
</style>
""" % {"whole": _WHOLE_TEXT}

# 会议投屏: the screen is the slide. Chrome (sidebar, header, page title) hidden; 退出投屏模式 sits
# top-right, above the control bar; the main block is a full-height column whose last part, the slide body, takes
# what the control bar, the title and the caption leave.
SLIDE_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] {font-size: clamp(15px, calc(7px + 1.25vh), 26px) !important;}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
[data-testid="stHeader"], [data-testid="stToolbar"] {display: none !important;}
[data-testid="stMain"] h1 {display: none;}
[data-testid="stMain"] h2 {font-size: 2.0rem !important; padding: 0 !important; line-height: 1.25;}
[data-testid="stMain"] h4 {font-size: 1.35rem !important; padding: 0.1rem 0 !important;}
[data-testid="stMain"] [data-testid="stCaptionContainer"] {font-size: 1.0rem !important;}
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: min(2.6rem, 16cqi) !important; line-height: 1.15;}
[data-testid="stMain"] [data-testid="stMetricLabel"] p {font-size: 1.15rem !important;}
[data-testid="stMain"] [data-testid="stMetric"] {padding: 0.5rem 0.8rem !important;}
[data-testid="stMain"] [data-testid="stTable"] td, [data-testid="stMain"] [data-testid="stTable"] th {
  font-size: 1.05rem !important; padding: 0.2rem 0.6rem !important; white-space: nowrap; line-height: 1.35;}
[data-testid="stMain"] [data-testid="stTable"] tbody td:first-of-type {white-space: normal; min-width: 6em;}
[data-testid="stMain"] [data-testid="stTable"] table {width: auto;}
%(whole)s
[data-testid="stMainBlockContainer"] {padding: 0.9rem 1.5rem 0.6rem !important; max-width: 100%% !important;
  height: 100vh; box-sizing: border-box; display: flex; flex-direction: column;}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {flex: 1 1 auto; min-height: 0; gap: 0.45rem;}
[data-testid="stLayoutWrapper"]:has(> .st-key-slide_body) {flex: 1 1 0 !important; min-height: 0;
  display: flex; flex-direction: column;}
.st-key-slide_body {flex: 1 1 0 !important; min-height: 0;}
.st-key-slide_body > [data-testid="stLayoutWrapper"]:has(> [data-testid="stHorizontalBlock"]) {flex: 1 1 0;
  min-height: 0; display: flex; flex-direction: column;}
.st-key-slide_body > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] {flex: 1 1 0; min-height: 0;}
.st-key-slide_body > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
  height: 100%%; min-height: 0;}
.st-key-slide_body > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]
  > [data-testid="stVerticalBlock"] {height: 100%%; min-height: 0;}
.st-key-presentation_off {position: fixed; right: 1.5rem; top: 0.3rem; z-index: 999991; width: auto !important;}
.st-key-presentation_off button {min-height: 0; padding: 0.05rem 0.6rem;}
.st-key-presentation_off button p {font-size: 0.85rem !important;}
.caredesk-watermark {position: fixed; right: 1.2rem; bottom: 0.6rem; opacity: 0.35; font-size: 0.8rem;
  pointer-events: none; z-index: 999990; color: #555;}
</style>
""" % {"whole": _WHOLE_TEXT}

LABEL_FONT = 17  # chart text in px at 1280×720: about the size of the slide's table text
# …and growing with the chart's height as the slide's type grows with the screen's (Vega signal).
_SCALED = alt.ExprRef(expr=f"clamp(7 + height / 40, {LABEL_FONT - 2}, 28)")


def presenting_style() -> None:
    st.html(PRESENTING_CSS)


def slide_style() -> None:
    st.html(SLIDE_CSS)


def slide_body():
    """The container that takes the rest of the screen; draw a slide's content inside it."""
    return st.container(key="slide_body", gap="small")


def fonts(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Chart fonts that read from the back of the room (axes, legends, titles, text marks)."""
    return (chart.configure_axis(labelFontSize=_SCALED, titleFontSize=_SCALED, labelLimit=360)
            .configure_legend(labelFontSize=_SCALED, titleFontSize=_SCALED, titleLimit=400, symbolSize=220)
            .configure_title(fontSize=_SCALED)
            .configure_text(fontSize=_SCALED))


def chart(c: alt.TopLevelMixin, **kwargs) -> None:
    """A slide chart: projector fonts, as tall as the slide body leaves (never taller)."""
    st.altair_chart(fonts(c), width="stretch", height="stretch", **kwargs)


def table(df: pd.DataFrame) -> None:
    """st.table: plain HTML, so the projector type applies (the grid of st.dataframe draws on a
    canvas at a fixed size); numbered from 1."""
    st.table(df.reset_index(drop=True).rename(index=lambda i: i + 1), border="horizontal")
