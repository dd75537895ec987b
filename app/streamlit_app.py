"""glocal-kb web UI: the router. Pages live in app_pages/ and call only the `kb` library."""

import streamlit as st

st.set_page_config(page_title="glocal-kb", page_icon=":material/hub:", layout="wide")

pages = {
    "Evidence": [
        st.Page("app_pages/search.py", title="Search", icon=":material/search:", url_path="search", default=True),
        st.Page("app_pages/themes.py", title="Themes", icon=":material/account_tree:", url_path="themes"),
        st.Page("app_pages/evidence_map.py", title="Evidence map", icon=":material/grid_on:", url_path="evidence_map"),
        st.Page("app_pages/graph.py", title="Graph", icon=":material/hub:", url_path="graph"),
    ],
    "Data": [
        st.Page("app_pages/sparql.py", title="SPARQL", icon=":material/terminal:", url_path="sparql"),
        st.Page("app_pages/export.py", title="Export", icon=":material/download:", url_path="export"),
    ],
    "Records": [
        st.Page("app_pages/source.py", title="Source", icon=":material/menu_book:", url_path="source"),
        st.Page("app_pages/claim.py", title="Claim", icon=":material/format_quote:", url_path="claim"),
    ],
}

if "ui_language" not in st.session_state:
    st.session_state["ui_language"] = "ru" if st.query_params.get("ui") == "ru" else "en"
with st.sidebar:
    st.radio(
        "Language of texts",
        ["en", "ru"],
        key="ui_language",
        horizontal=True,
        format_func={"en": "English", "ru": "Русский"}.get,
    )

st.navigation(pages).run()
