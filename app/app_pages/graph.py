"""Graph: a picture of one theme's neighbourhood (concepts, claims grouped by source, relations)."""

import resources
import streamlit as st
from components import language, sync_query_params

from kb.browse.neighbourhood import neighbourhood_dot

evidence = resources.evidence()
themes = evidence.vocabulary.themes
ids = sorted(themes, key=lambda t: themes[t].label(language()).lower())
wanted = st.query_params.get("theme", "glocalization")
st.title("Theme neighbourhood")
theme_id = st.selectbox(
    "Theme",
    ids,
    index=ids.index(wanted) if wanted in ids else 0,
    format_func=lambda t: themes[t].label(language()),
    key="graph_theme",
)
limit = st.slider("Most claims shown", 5, 60, 20, key="graph_limit")
sync_query_params({"theme": theme_id})
st.caption("Yellow: themes. Boxes: claims, grouped by source. Green arrows support, red dispute, blue extend.")
st.graphviz_chart(neighbourhood_dot(evidence, theme_id, max_claims=limit, language=language()), width="stretch")
st.page_link(
    "app_pages/themes.py", label="Open the theme page", icon=":material/account_tree:", query_params={"id": theme_id}
)
