"""SPARQL console: an editor prefilled from the named queries; read-only, with time and size limits."""

import io

import pandas as pd
import resources
import streamlit as st
from components import plain

from kb.errors import KbError
from kb.sparql import format_result, named_queries

kb = resources.knowledge_base()
queries = {q.name: q for q in named_queries()}
names = list(queries)
st.title("SPARQL")
st.caption(
    "Read-only: updates, LOAD, SERVICE and remote FROM are refused; queries stop after "
    f"{kb.settings.query_timeout_s:g} s and return at most {kb.settings.query_max_rows} rows. "
    "The project prefixes (gkb:, source:, claim:, theme:, bibo:, cito:, skos:, dcterms:, …) are predeclared."
)

chosen = st.selectbox(
    "Start from a named query",
    names,
    key="sparql_named",
    index=names.index(st.query_params["name"]) if st.query_params.get("name") in names else 0,
    format_func=lambda n: f"{n} — {queries[n].title}",
)
if st.session_state.get("sparql_loaded") != chosen:
    st.session_state["sparql_text"] = queries[chosen].text
    st.session_state["sparql_loaded"] = chosen
st.caption(plain(queries[chosen].description))
st.query_params["name"] = chosen
text = st.text_area("Query", key="sparql_text", height=320)
if not st.button("Run", type="primary", key="sparql_run", icon=":material/play_arrow:"):
    st.stop()

try:
    result = kb.query(text)
except KbError as error:
    st.error(str(error))
    st.stop()

note = f"{len(result)} {'triples' if result.is_graph else 'rows'} in {result.elapsed_s * 1000:.0f} ms"
if result.truncated:
    note += f" — cut at {result.max_rows}; add a LIMIT or narrow the query"
st.caption(note)
if result.form == "ASK":
    st.metric("Answer", "yes" if result.boolean else "no")
elif result.is_graph:
    turtle = format_result(result, "turtle")
    st.code(turtle, language="turtle")
    st.download_button("Download Turtle", turtle, file_name="result.ttl", mime="text/turtle", key="sparql_ttl")
else:
    csv_text = format_result(result, "csv")
    table = (
        pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
        if result.bindings
        else pd.DataFrame(columns=result.variables)
    )
    st.dataframe(table, width="stretch", hide_index=True)
    row = st.container(horizontal=True)
    with row:
        st.download_button("Download CSV", csv_text, file_name="result.csv", mime="text/csv", key="sparql_csv")
        st.download_button(
            "Download JSON",
            format_result(result, "json"),
            file_name="result.srj",
            mime="application/sparql-results+json",
            key="sparql_json",
        )
