"""Search (the landing page): one query box in English or Russian, filters, evidence cards."""

import streamlit as st

import resources
from components import claim_card, language, plain, source_line, sync_query_params
from kb.browse.pages import claim_view
from kb.errors import KbError

evidence = resources.evidence()
params = st.query_params
themes = evidence.vocabulary.themes
years = sorted({s.year for s in evidence.corpus.sources.values()})
theme_ids = [""] + sorted(themes, key=lambda t: themes[t].label(language()).lower())
evidence_ids = [""] + list(evidence.vocabulary.evidence_types)
source_types = [""] + sorted({s.entry_type for s in evidence.corpus.sources.values()})


def _index(options, value):
    return options.index(value) if value in options else 0


st.title("What does the literature say?")
query = st.text_input("Question or keywords, in English or Russian", value=params.get("q", ""), key="search_query",
                      placeholder="e.g. does geographical proximity still matter for innovation?  ·  роль кластеров в регионах")
with st.expander("Filters", expanded=any(params.get(k) for k in ("theme", "evidence", "lang", "type", "from", "to"))):
    a, b, c = st.columns(3)
    theme = a.selectbox("Theme (narrower themes included)", theme_ids, index=_index(theme_ids, params.get("theme")),
                        format_func=lambda t: themes[t].label(language()) if t else "Any theme", key="search_theme")
    evidence_type = b.selectbox("Evidence type", evidence_ids, index=_index(evidence_ids, params.get("evidence")),
                                format_func=lambda e: evidence.evidence_label(e, language()) if e else "Any evidence",
                                key="search_evidence")
    source_type = c.selectbox("Source type", source_types, index=_index(source_types, params.get("type")),
                              format_func=lambda t: t or "Any type", key="search_type")
    d, e, f = st.columns(3)
    low, high = years[0], years[-1]
    year_range = d.slider("Years", low, high, (int(params.get("from", low)), int(params.get("to", high))),
                          key="search_years")
    lang = e.selectbox("Language of the source", ["", "en", "ru"], index=_index(["", "en", "ru"], params.get("lang")),
                       format_func={"": "Any language", "en": "English", "ru": "Russian"}.get, key="search_lang")
    mode = f.segmented_control("Ranking", ["hybrid", "dense", "lexical"], default=params.get("mode", "hybrid"),
                               key="search_mode") or "hybrid"
k = 10

sync_query_params({
    "q": query.strip(), "theme": theme, "evidence": evidence_type, "type": source_type, "lang": lang,
    "from": year_range[0] if year_range[0] != low else None, "to": year_range[1] if year_range[1] != high else None,
    "mode": mode if mode != "hybrid" else None,
})
if not query.strip():
    st.info("Type a question above. Browse the [themes](themes) or the [evidence map](evidence_map) to see what the corpus covers.")
    st.stop()

from kb.search import SearchFilters  # noqa: E402

try:
    filters = SearchFilters(theme=theme or None, evidence=evidence_type or None, source_type=source_type or None,
                            language=lang or None,
                            year_from=year_range[0] if year_range[0] != low else None,
                            year_to=year_range[1] if year_range[1] != high else None)
    results = resources.searcher().search(query, k=k, filters=filters, mode=mode)
except KbError as error:
    st.error(str(error))
    st.stop()

if not results:
    st.warning("Nothing matches. Loosen the filters or rephrase.")
    st.stop()

st.subheader(f"Results for “{plain(query.strip())}”")
st.caption(f"{len(results)} results, best first.")
for index, result in enumerate(results):
    if result.claim_id:
        claim_card(claim_view(evidence, evidence.corpus.claims[result.claim_id], language()), key=f"result-{index}")
    else:
        source = evidence.corpus.sources[result.source["key"]]
        with st.container(border=True):
            st.markdown(source_line(source))
            st.page_link("app_pages/source.py", label="Source", icon=":material/menu_book:", query_params={"key": source.key})

keys = list(dict.fromkeys(r.source["key"] for r in results))
st.download_button(f"Export the {len(keys)} sources of these results (BibTeX)",
                   resources.knowledge_base().export([evidence.corpus.sources[key] for key in keys], "bibtex"),
                   file_name="search-results.bib", mime="application/x-bibtex", key="search_export",
                   icon=":material/download:")
