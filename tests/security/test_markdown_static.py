"""Item 13.3 (static half): user text never reaches a Markdown-rendering Streamlit call unescaped.

Every argument of pages/ and components/ that Streamlit renders as Markdown (bodies of
markdown/caption/write/messages/titles, the labels of metrics, page links, tabs, expanders and
widgets, `help=` tooltips, radio options) must be text the code wrote itself, or pass through
`components.text.md` (the one escape). Anything else — a variable, an f-string around a value —
is a finding unless the line carries `# md-ok: <why>` (a number, a date, a constant table).
The browser half is tests/security/test_markdown_browser.py."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALL = None
# call name -> (positional indices, keyword names) that Streamlit renders as Markdown
SINKS: dict[str, tuple[list[int] | None, list[str]]] = {
    "markdown": ([0], ["body"]), "caption": ([0], ["body"]), "write": (ALL, []),
    "success": ([0], ["body"]), "info": ([0], ["body"]), "warning": ([0], ["body"]), "error": ([0], ["body"]),
    "toast": ([0], ["body"]), "title": ([0], ["body"]), "header": ([0], ["body"]), "subheader": ([0], ["body"]),
    "metric": ([0], ["label"]), "page_link": ([1], ["label"]), "expander": ([0], ["label"]),
    "tabs": ([0], ["tabs"]), "popover": ([0], ["label"]), "status": ([0], ["label"]),
    "button": ([0], ["label"]), "form_submit_button": ([0], ["label"]), "download_button": ([0], ["label"]),
    "link_button": ([0], ["label"]), "checkbox": ([0], ["label"]), "toggle": ([0], ["label"]),
    "radio": ([0, 1], ["label", "options", "captions"]), "selectbox": ([0], ["label"]),
    "multiselect": ([0], ["label"]), "text_input": ([0], ["label"]), "text_area": ([0], ["label"]),
    "number_input": ([0], ["label"]), "date_input": ([0], ["label"]), "file_uploader": ([0], ["label"]),
    "slider": ([0], ["label"]), "select_slider": ([0], ["label"]), "pills": ([0], ["label"]),
    "segmented_control": ([0], ["label"]), "time_input": ([0], ["label"]), "color_picker": ([0], ["label"]),
    # our own wrappers that hand an argument on to one of the above
    "page_header": ([1], ["caption"]), "personal_download": ([0], ["label"]),
}
ESCAPES = {"md"}
# receivers whose .write/.error/… are not Streamlit (files, loggers)
NOT_STREAMLIT = {"log", "logger", "logging", "f", "fh", "buf", "bio", "out", "writer", "ws", "wb", "doc", "zf", "sys"}
SAFE_CALLS = {"len", "int", "float", "round", "sum", "min", "max", "abs", "fmt_count", "money"}


def _is_caps(name: str) -> bool:
    return name.isupper() or (name.lstrip("_").replace("_", "").isupper())


def _safe(node: ast.AST) -> bool:
    """True when the value is text the code wrote, a number, or escaped user text."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = ast.unparse(node.format_spec) if node.format_spec else ""
        # a date or number format cannot carry user text
        if node.format_spec and any(c in spec for c in "%dfe,") and not spec.strip("'\"f").startswith(("<", ">", "^")):
            return True
        return _safe(node.value)
    if isinstance(node, ast.Call):
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        return name in ESCAPES or name in SAFE_CALLS
    if isinstance(node, ast.Name):
        return _is_caps(node.id)
    if isinstance(node, ast.Attribute):
        return _is_caps(node.attr)
    if isinstance(node, ast.Subscript):
        return _safe(node.value)
    if isinstance(node, ast.BinOp):
        return _safe(node.left) and _safe(node.right)
    if isinstance(node, ast.IfExp):
        return _safe(node.body) and _safe(node.orelse)
    if isinstance(node, ast.BoolOp):
        return all(_safe(v) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_safe(e) for e in node.elts)
    if isinstance(node, ast.Starred):
        return _safe(node.value)
    return False


def _allowed(lines: list[str], node: ast.AST, call: ast.Call) -> bool:
    span = range(min(node.lineno, call.lineno), max(node.end_lineno or node.lineno, call.lineno) + 1)
    return any("# md-ok" in lines[i - 1] for i in span)


def violations(files: list[Path] | None = None) -> list[str]:
    if files is None:
        files = sorted((ROOT / "pages").glob("*.py")) + sorted((ROOT / "components").glob("*.py")) + [ROOT / "app.py"]
    found: list[str] = []
    for path in files:
        src = path.read_text(encoding="utf-8")
        lines = src.splitlines()
        for call in ast.walk(ast.parse(src)):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
                continue
            name = call.func.attr
            recv = call.func.value
            if isinstance(recv, ast.Name) and recv.id in NOT_STREAMLIT:
                continue
            checked: list[ast.AST] = []
            if name in SINKS:
                positions, keywords = SINKS[name]
                checked += [a for i, a in enumerate(call.args) if positions is None or i in positions]
                checked += [k.value for k in call.keywords if k.arg in keywords]
            checked += [k.value for k in call.keywords if k.arg == "help"]
            for arg in checked:
                if not _safe(arg) and not _allowed(lines, arg, call):
                    rel = path.relative_to(ROOT)
                    found.append(f"{rel}:{arg.lineno}: {name}({ast.unparse(arg)[:90]})")
    return found


def test_no_unescaped_value_reaches_markdown():
    found = violations()
    assert not found, "user text must pass through components.text.md:\n" + "\n".join(found)


def test_the_check_catches_an_unescaped_name(tmp_path):
    """The scan itself: an f-string around a name is found; md(...), a date and md-ok are not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import streamlit as st\n"
        "st.success(f'已保存 {person.name}')\n"
        "col.metric(unit_name, 3)\n"
        "st.tabs([t.title for t in tabs])\n"
        "st.success(f'已保存 {md(person.name)}，{d:%Y-%m-%d}')\n"
        "st.caption(f'共 {n} 条')  # md-ok: a count\n"
        "st.info(MESSAGE)\n",
        encoding="utf-8",
    )
    global ROOT
    old, ROOT = ROOT, tmp_path
    try:
        found = violations([sample])
    finally:
        ROOT = old
    assert [f.split(":")[1] for f in found] == ["2", "3", "4"]


def test_md_escapes_markup_and_breaks_bare_links():
    from components.text import WORD_JOINER, md

    assert md(None) == "" and md("") == "" and md("张三") == "张三"
    out = md("![x](http://h/m.png) <img src=//h/i> **b** _i_ `c` # t $x$ :red[r] a@b.cn www.h.cn")
    # every Markdown/HTML special is behind a backslash
    for ch in "![]()<>*_`#$:":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch), ch
    # GitHub's bare-URL and e-mail links are broken by an invisible joiner
    assert f"http{WORD_JOINER}\\:" in out and f"www{WORD_JOINER}\\." in out and f"@{WORD_JOINER}b" in out
    assert md("第一行\n2. 第二行") == "第一行  \n2\\. 第二行"  # line breaks kept, no list
