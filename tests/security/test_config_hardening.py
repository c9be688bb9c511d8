"""The shipped .streamlit/config.toml is hardened, and the server-side upload check is
stricter than the widget's limit."""
import tomllib

from core.excel_safety import UploadLimits
from tests.harness import ROOT


def _config():
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))


def test_streamlit_config_is_hardened():
    cfg = _config()
    assert cfg["server"]["enableXsrfProtection"] is True
    assert cfg["server"].get("enableCORS", True) is True  # CORS protection stays on
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] == "none"
    assert cfg["client"]["toolbarMode"] == "minimal"
    assert 1 <= cfg["server"]["maxUploadSize"] <= 20  # MB (Streamlit's default is 200)
    assert cfg["runner"]["magicEnabled"] is False
    # the server-side limit on an upload is no larger than what the widget lets through
    assert UploadLimits().max_bytes <= cfg["server"]["maxUploadSize"] * 1024 * 1024


def test_config_values_are_the_ones_streamlit_reads():
    """A misspelt option would be ignored silently: every key must be a real Streamlit option."""
    from streamlit import config as st_config

    for section, values in _config().items():
        for key in values:
            assert f"{section}.{key}" in st_config._config_options_template, f"{section}.{key}"


def test_no_page_renders_html_unsafely():
    """`unsafe_allow_html` never appears in the pages or components that show user text."""
    offenders = []
    for folder in ("pages", "components"):
        for path in (ROOT / folder).glob("*.py"):
            if "unsafe_allow_html=True" in path.read_text("utf-8"):
                offenders.append(path.name)
    assert offenders == []


def test_openpyxl_parses_with_defusedxml():
    """openpyxl switches to defusedxml (no entity expansion, no external entities) when it is installed."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
