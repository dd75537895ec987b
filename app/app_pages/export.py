"""Export: choose a selection, a format and a style; preview; download."""

import resources
import streamlit as st
from components import language, sync_query_params

from kb.bibliography import FEATURED_STYLES, available_formats, select_sources
from kb.errors import KbError
from kb.sparql import named_queries

kb = resources.knowledge_base()
evidence = resources.evidence()
themes = evidence.vocabulary.themes
params = st.query_params
st.title("Export")

kinds = {
    "all": "All sources",
    "theme": "A theme",
    "keys": "Chosen sources",
    "search": "A search",
    "sparql": "A named SPARQL query",
}
kind = (
    st.segmented_control(
        "What to export", list(kinds), format_func=kinds.get, key="export_kind", default=params.get("by", "all")
    )
    or "all"
)
selection = {}
if kind == "theme":
    ids = sorted(themes, key=lambda t: themes[t].label(language()).lower())
    selection["theme"] = st.selectbox(
        "Theme (narrower themes included)",
        ids,
        key="export_theme",
        index=ids.index(params["theme"]) if params.get("theme") in ids else 0,
        format_func=lambda t: themes[t].label(language()),
    )
elif kind == "keys":
    keys = list(evidence.corpus.sources)
    selection["keys"] = st.multiselect(
        "Sources",
        keys,
        key="export_keys",
        default=[k for k in params.get("keys", "").split(",") if k in keys],
        format_func=lambda k: f"{evidence.corpus.sources[k].year} · {evidence.corpus.sources[k].english_title}",
    )
elif kind == "search":
    selection["search"] = st.text_input(
        "Query (the sources of its top results)", value=params.get("q", ""), key="export_q"
    )
elif kind == "sparql":
    queries = named_queries()
    names = [q.name for q in queries]
    chosen = st.selectbox(
        "Named query (its first column gives the sources)",
        names,
        key="export_query",
        format_func=lambda n: next(q.title for q in queries if q.name == n),
    )
    selection["sparql"] = next(q.text for q in queries if q.name == chosen)

formats = {f.name: f for f in available_formats()}
a, b, c = st.columns(3)
fmt = a.selectbox(
    "Format",
    list(formats),
    key="export_format",
    index=list(formats).index(params["format"]) if params.get("format") in formats else 0,
    format_func=lambda name: f"{name} — {formats[name].description}",
)
style = b.selectbox(
    "Style",
    FEATURED_STYLES,
    key="export_style",
    disabled=not formats[fmt].formatted,
    index=FEATURED_STYLES.index(params["style"]) if params.get("style") in FEATURED_STYLES else 0,
)
with_claims = c.toggle("Include each source's claims", key="export_claims", value=params.get("claims") == "1")

sync_query_params(
    {
        "by": kind if kind != "all" else None,
        "format": fmt,
        "style": style if formats[fmt].formatted else None,
        "claims": "1" if with_claims else None,
        "theme": selection.get("theme"),
        "keys": ",".join(selection.get("keys", [])),
        "q": selection.get("search"),
    }
)

if kind in ("search", "keys") and not any(selection.values()):
    st.info("Choose what to export above.")
    st.stop()
try:
    sources = select_sources(kb, **selection)
    text = kb.export(sources, fmt, style=style if formats[fmt].formatted else None, with_claims=with_claims)
except KbError as error:
    st.error(str(error))
    st.stop()

st.caption(f"{len(sources)} sources.")
st.download_button(
    f"Download {len(sources)} sources ({fmt})",
    text.encode("utf-8"),
    file_name=f"glocal-kb{formats[fmt].extension}",
    mime=formats[fmt].media_type,
    key="export_download",
    type="primary",
    icon=":material/download:",
)
language_of = {"html": "html", "csl-json": "json", "markdown": "markdown"}.get(
    fmt, "bibtex" if fmt in ("bibtex", "biblatex") else None
)
st.code(text[:20000] + ("\n…" if len(text) > 20000 else ""), language=language_of)
