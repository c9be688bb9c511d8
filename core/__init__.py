"""CareDesk pure rules: no Streamlit, no database."""
