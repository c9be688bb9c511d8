"""Streamlit's own English labels in Chinese: the texts its frontend writes itself, for which it
takes no parameter (select placeholders, "Select all" / "No results" in a dropdown, the file
uploader's button, limit line and client-side refusal, the data grid's toolbar, column menu and
search, the skip link), and no page list beside the sign-in form (a fresh server's would be
pages/ by English file name). One script per browser document, injected by page_header on every page
(and by app.py before sign-in); it rewrites those exact texts, attributes included, whenever
Streamlit draws them. The uploader's limit line shows the widget's `max_upload_size`, which
pages set to their kind's limit (core/uploads.py), so it reads e.g. "单个文件不超过 5 MB"."""
from __future__ import annotations

import json

import streamlit as st

# Streamlit's exact text → ours. Keys are as the frontend (1.67) writes them.
TEXTS: dict[str, str] = {
    # selectbox / multiselect
    "Choose an option": "请选择",
    "Choose options": "请选择（可多选）",
    "Choose or add an option": "请选择或输入",
    "Choose or add options": "请选择或输入（可多选）",
    "Add an option": "请输入",
    "Add options": "请输入（可多选）",
    "No options to select": "没有可选项",
    "No results": "无匹配项",
    "No options": "没有可选项",
    "Select all": "全选",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Clear selection": "清除选择",
    # file uploader
    "Upload": "上传文件",
    "Add files": "添加文件",
    "Drag and drop a file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "File size is too small.": "文件为空",
    "Only one file is allowed.": "一次只能上传一个文件",
    "Unexpected error. Please try again.": "上传出错，请重试",
    "Click to retry upload": "点击重新上传",
    # data grid: toolbar, column menu, search
    "Show/hide columns": "显示/隐藏列",
    "Download as CSV": "下载为 CSV",
    "Search": "搜索",
    "Type to search": "输入关键字搜索",
    "Close Search": "关闭搜索",
    "Next Result": "下一个",
    "Previous Result": "上一个",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Copy to clipboard": "复制",
    "Sort ascending": "升序",
    "Sort descending": "降序",
    "Format": "格式",
    "Autosize": "自动列宽",
    "Pin column": "固定列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏列",
    "Copy column name": "复制列名",
    "Add row": "添加行",
    "Delete": "删除",
    "Statistics": "统计",
    "No data": "无数据",
    "Empty": "空",
    # page chrome
    "Skip to main content": "跳到主要内容",
}
# Texts with a figure in them: (JavaScript regular expression, replacement).
PATTERNS: list[tuple[str, str]] = [
    (r"^(\d+)(?:\.0)?(KB|MB|GB) per file$", "单个文件不超过 $1 $2"),
    (r"^File must be (\d+(?:\.[1-9])?)(?:\.0)?(KB|MB|GB) or smaller\.$", "文件过大，上限为 $1 $2"),
    (r"^(.+) files are not allowed\.$", "不支持 $1 格式的文件"),
    (r"^Select (\d+) matches$", "选择 $1 个匹配项"),
    # a select's screen-reader status (drawn, visually hidden, beside the dropdown)
    (r"^(\d+) options? available\.?$", "共 $1 个选项"),
    (r"^(\d+) results? available\.?$", "共 $1 个结果"),
]

_SCRIPT = """
<span class="caredesk-zh"></span>
<style>
.stElementContainer:has(.caredesk-zh), [data-testid="stElementContainer"]:has(.caredesk-zh) {display: none;}
/* While the sign-in form is shown: no page list. On a freshly started server, before any session
   has called st.navigation, Streamlit lists pages/ there by English file name. */
body:has(.st-key-FormSubmitter-login---) [data-testid="stSidebarNav"] {display: none;}
</style>
<script>
(() => {
  if (window.__caredeskZh) return;  // once per browser document; it stays across reruns
  window.__caredeskZh = true;
  const TEXTS = __TEXTS__;
  const PATTERNS = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = ["placeholder", "aria-label", "title"];
  const tr = (s) => {
    const t = s.trim();
    if (!t || t.length > 80) return null;
    if (Object.hasOwn(TEXTS, t)) return s.replace(t, TEXTS[t]);
    for (const [re, to] of PATTERNS) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return null;
  };
  const fixText = (n) => { const v = tr(n.nodeValue); if (v !== null) n.nodeValue = v; };
  const fixAttrs = (el) => {
    for (const a of ATTRS) {
      const old = el.getAttribute(a);
      const v = old && tr(old);
      if (v) el.setAttribute(a, v);
    }
  };
  const fix = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return fixText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    fixAttrs(root);
    for (const el of root.querySelectorAll("[placeholder], [aria-label], [title]")) fixAttrs(el);
    const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) fixText(n);
  };
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === "characterData") fixText(c.target);
      else if (c.type === "attributes") fixAttrs(c.target);
      else c.addedNodes.forEach(fix);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ATTRS});
  fix(document.body);
})();
</script>
"""


def script() -> str:
    return (_SCRIPT.replace("__TEXTS__", json.dumps(TEXTS, ensure_ascii=False))
            .replace("__PATTERNS__", json.dumps(PATTERNS, ensure_ascii=False)))


def inject() -> None:
    """Install the translation in this browser document (a hidden element; the script's
    guard makes a second call a no-op)."""
    st.html(script(), unsafe_allow_javascript=True)  # constant text, no user input


def csp_hash() -> str:
    """The script's CSP source ('sha256-…'): docs/DEPLOYMENT.md's script-src must list it, or a
    deployment's Content-Security-Policy blocks the translation (tests/security/test_hardening_browser.py)."""
    import base64
    import hashlib
    import re

    body = re.search(r"<script>(.*)</script>", script(), re.S).group(1)
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
