"""CareDesk 关爱联席工作台 — page config, sign-in, role → pages, navigation. Nothing else."""
import streamlit as st

from components import presentation
from components.auth import require_login
from components.page import navigation
from db.bootstrap import ensure_ready

st.set_page_config(page_title="关爱联席工作台", page_icon="🤝", layout="wide")
ensure_ready()
actor = require_login()
presentation.controls(actor)

navigation(actor.role, presentation.is_on()).run()
