"""Source page: the full record, its claims, its citation in a chosen style, and its export."""

import resources
import streamlit as st
from components import claim_card, language, plain

from kb.browse.pages import source_page

evidence = resources.evidence()
key = st.query_params.get("key")
if not key or key not in evidence.corpus.sources:
    st.title("Sources")
    if key:
        st.error(f"There is no source “{plain(key)}”.")
    for source in sorted(evidence.corpus.sources.values(), key=lambda s: (s.year, s.key)):
        st.page_link(
            "app_pages/source.py",
            label=f"{source.year} · {plain(source.english_title)}",
            query_params={"key": source.key},
        )
    st.stop()

page = source_page(evidence, key, language())
source = page.source
st.title(plain(source.title))
if source.title_en and source.title_en != source.title:
    st.caption(plain(source.title_en))

fields = [
    ("Citation key", source.key),
    ("Type", source.entry_type + (f" ({source.report_type})" if source.report_type else "")),
    ("Authors", "; ".join(p.display for p in source.authors)),
    (
        "Authors (Latin script)",
        "; ".join(p.latin_display for p in source.authors)
        if any(p.latin_display != p.display for p in source.authors)
        else "",
    ),
    ("Editors", "; ".join(p.display for p in source.editors)),
    ("Year", str(source.year)),
    ("In", source.container_title + (f" [{source.container_title_en}]" if source.container_title_en else "")),
    ("Series", source.series),
    ("Volume / issue", " / ".join(x for x in (source.volume, source.number) if x)),
    ("Pages", source.pages.replace("--", "–")),
    ("Page count", source.pagetotal),
    ("Publisher", ", ".join(x for x in (source.publisher, source.location) if x)),
    ("Institution", source.institution),
    ("Language", source.language),
    ("DOI", source.doi),
    ("ISBN", source.isbn),
    ("URL", source.url),
    ("Keywords", ", ".join(source.keywords)),
    ("Note", source.note),
    ("Correction of the citing list", source.correction),
    ("How the record was checked", source.verification),
]
with st.container(border=True):
    for name, value in fields:
        if value:
            st.markdown(f"**{name}:** {plain(value)}")
    if source.abstract:
        with st.expander("Abstract"):
            st.markdown(plain(source.abstract))

st.subheader("Citation")
from kb.bibliography import FEATURED_STYLES, format_citation  # noqa: E402

style = st.selectbox(
    "Style",
    FEATURED_STYLES,
    key="source_style",
    index=FEATURED_STYLES.index(st.query_params.get("style", "apa"))
    if st.query_params.get("style") in FEATURED_STYLES
    else 0,
)
entry = format_citation(source, style, people=resources.knowledge_base().people)
with st.container(border=True):
    st.markdown(plain(entry.text))
    st.caption(f"In the text: {plain(entry.citation)}")
row = st.container(horizontal=True)
with row:
    for fmt, label in (("biblatex", "BibLaTeX"), ("ris", "RIS"), ("csl-json", "CSL-JSON")):
        extension = {"biblatex": "bib", "ris": "ris", "csl-json": "json"}[fmt]
        st.download_button(
            label,
            resources.knowledge_base().export([source], fmt),
            file_name=f"{source.key}.{extension}",
            key=f"source_{fmt}",
            icon=":material/download:",
        )

st.subheader(f"Claims ({len(page.claims)})")
for view in page.claims:
    claim_card(view, key=f"claim-{view.id}", show_source=False)

if page.cites or page.cited_by:
    st.subheader("Citations within the corpus")
    for label, items in (("Cites", page.cites), ("Cited by", page.cited_by)):
        if items:
            st.markdown(f"**{label}** ({len(items)})")
            for other in items:
                st.page_link(
                    "app_pages/source.py",
                    label=f"{other.year} · {plain(other.english_title)}",
                    query_params={"key": other.key},
                )
