"""CareDesk 关爱联席工作台 — page config, sign-in, role → pages, navigation. Nothing else."""
from pathlib import Path

import streamlit as st

from components import presentation
from components.auth import require_login
from core.pages import pages_for
from db.bootstrap import ensure_ready

st.set_page_config(page_title="关爱联席工作台", page_icon="🤝", layout="wide")
ensure_ready()
actor = require_login()
presentation.controls(actor)

existing = {p.stem for p in (Path(__file__).parent / "pages").glob("*.py")}
groups: dict[str, list] = {}
for spec in pages_for(actor.role, existing):
    groups.setdefault(spec.group, []).append(
        st.Page(f"pages/{spec.key}.py", title=spec.title, icon=spec.icon, url_path=spec.key)
    )
# The sidebar is hidden while presenting, so the menu moves to the top.
st.navigation(groups, position="top" if presentation.is_on() else "sidebar", expanded=True).run()
