"""Search (the landing page): one query box in English or Russian, filters, evidence cards."""

import resources
import streamlit as st
from components import claim_card, language, plain, source_line, sync_query_params

from kb.errors import KbError
from kb.search import FILTERS, SearchFilters

kb = resources.knowledge_base()
evidence = resources.evidence()
params = st.query_params
years = sorted({s.year for s in evidence.corpus.sources.values()})
low, high = years[0], years[-1]
# The URL's name for each filter (kept from before the filters were declared in one table).
URL_NAMES = {"language": "lang", "source_type": "type", "year_from": "from", "year_to": "to"}


def _url(name: str) -> str:
    return URL_NAMES.get(name, name)


st.title("What does the literature say?")
query = st.text_input(
    "Question or keywords, in English or Russian",
    value=params.get("q", ""),
    key="search_query",
    placeholder="e.g. does geographical proximity still matter for innovation?  ·  роль кластеров в регионах",
)
values: dict[str, object] = {}
shown = [f for f in FILTERS if f.widget == "select"]
with st.expander("Filters", expanded=any(params.get(_url(f.name)) for f in FILTERS)):
    columns = st.columns(3)
    for index, f in enumerate(shown):
        options = [""] + [value for value, _ in f.choices(kb, language())]
        labels = dict(f.choices(kb, language()))
        wanted = params.get(_url(f.name))
        values[f.name] = columns[index % 3].selectbox(
            f.label,
            options,
            index=options.index(wanted) if wanted in options else 0,
            key=f"search_{f.name}",
            format_func=lambda value, labels=labels, f=f: (
                labels.get(value, value) if value else f"Any {f.label.lower()}"
            ),
        )
    a, b = st.columns([2, 1])
    year_range = a.slider(
        "Years", low, high, (int(params.get("from", low)), int(params.get("to", high))), key="search_years"
    )
    values["year_from"] = year_range[0] if year_range[0] != low else None
    values["year_to"] = year_range[1] if year_range[1] != high else None
    mode = (
        b.segmented_control(
            "Ranking", ["hybrid", "dense", "lexical"], default=params.get("mode", "hybrid"), key="search_mode"
        )
        or "hybrid"
    )
k = 10

sync_query_params(
    {
        "q": query.strip(),
        **{_url(name): value for name, value in values.items()},
        "mode": mode if mode != "hybrid" else None,
    }
)
if not query.strip():
    st.info(
        "Type a question above. Browse the [themes](themes) or the [evidence map](evidence_map) to see what the corpus covers."
    )
    st.stop()

try:
    filters = SearchFilters(**{name: value or None for name, value in values.items()})
    results = kb.search(query, k=k, filters=filters, mode=mode, language=language())
except KbError as error:
    st.error(str(error))
    st.stop()

if not results:
    st.warning("Nothing matches. Loosen the filters or rephrase.")
    st.stop()

st.subheader(f"Results for “{plain(query.strip())}”")
st.caption(f"{len(results)} results, best first.")
for index, result in enumerate(results):
    if result.claim:
        claim_card(result.claim, key=f"result-{index}")
    else:
        with st.container(border=True):
            st.markdown(source_line(result.source))
            st.page_link(
                "app_pages/source.py",
                label="Source",
                icon=":material/menu_book:",
                query_params={"key": result.source.key},
            )

keys = list(dict.fromkeys(r.source.key for r in results))
st.download_button(
    f"Export the {len(keys)} sources of these results (BibTeX)",
    kb.export([evidence.corpus.sources[key] for key in keys], "bibtex"),
    file_name="search-results.bib",
    mime="application/x-bibtex",
    key="search_export",
    icon=":material/download:",
)
