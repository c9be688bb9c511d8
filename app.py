"""CareDesk 关爱联席工作台 — page config, sign-in, role → pages, navigation. Nothing else."""
import streamlit as st

from components import presentation, zh
from components.auth import follow_entry_page, require_login
from components.page import navigation
from db.bootstrap import ensure_ready

st.set_page_config(page_title="关爱联席工作台", page_icon="🤝", layout="wide")
ensure_ready()
if "actor" not in st.session_state:
    zh.inject()  # the sign-in page too: Streamlit's own labels in Chinese (components/zh.py)
actor = require_login()
presentation.controls(actor)

page = navigation(actor.role, presentation.is_on())
follow_entry_page(actor.role, page)  # a deep link survives the cookie sign-in's rerun
page.run()
