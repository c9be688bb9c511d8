"""The one way user text goes into Markdown.

Streamlit renders Markdown in bodies (st.markdown, st.caption, st.write, messages, titles) and
in labels (metrics, page links, tabs, expanders, widgets, help tooltips). A name such as
`![x](http://host/x.png)` would otherwise make every browser that shows it fetch that host, and
`*`, `_`, `#`, `<…>` would restyle it. `md(text)` escapes every Markdown and HTML special
character (a backslash before ASCII punctuation is always literal in CommonMark) and keeps
line breaks. Escapes cannot stop GitHub's bare-URL links (`http://…`, `www.…`, `a@b.cn`
become links after escapes are resolved), so an invisible WORD JOINER (U+2060) is put after
the scheme, `www` and `@`: the text looks the same and no link is made.
tests/security/test_markdown_static.py finds any value that reaches a Markdown-rendering
call without it; tests/security/test_markdown_browser.py shows it in a browser."""
from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&=:^])")
_AUTOLINK = re.compile(r"(?i)((?:https?|ftp|mailto|xmpp|www)(?=[:.])|@)")
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` as Markdown that shows exactly `text` (None and "" give "")."""
    if text is None:
        return ""
    s = str(text)
    if not s:
        return ""
    s = _AUTOLINK.sub(lambda m: m.group(1) + WORD_JOINER, s)
    return "  \n".join(_MD_SPECIAL.sub(r"\\\1", line) for line in s.splitlines())
