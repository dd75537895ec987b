"""Claim page: the text in each language, quote or paraphrase, locator, provenance and relations."""

import resources
import streamlit as st
from components import claim_card, code, language, plain, source_line

from kb.browse.pages import claim_page

evidence = resources.evidence()
claim_id = st.query_params.get("id")
if not claim_id or claim_id not in evidence.corpus.claims:
    st.title("Claim")
    st.error(
        f"There is no claim “{plain(claim_id)}”." if claim_id else "No claim chosen: search or browse a theme first."
    )
    st.page_link("app_pages/search.py", label="Search", icon=":material/search:")
    st.stop()

page = claim_page(evidence, claim_id, language())
claim, view = page.view.claim, page.view
st.title("Quotation" if claim.is_quote else "Claim")
st.caption(code(claim.id))
names = {"en": "English", "ru": "Русский"}
for lang, text in claim.text.items():
    with st.container(border=True):
        st.caption(
            names.get(lang, lang)
            + (
                " (verbatim)"
                if claim.is_quote and lang == view.source.language
                else " (translation)"
                if claim.is_quote
                else ""
            )
        )
        st.markdown(f"> “{plain(text)}”" if claim.is_quote else plain(text))

st.markdown(f"**Source:** {source_line(view.source)}" + (f", {plain(claim.locator)}" if claim.locator else ""))
st.page_link(
    "app_pages/source.py", label="Open the source", icon=":material/menu_book:", query_params={"key": view.source.key}
)
st.markdown(f"**Evidence type:** {plain(view.evidence_label)}")
st.markdown("**Themes:**")
row = st.container(horizontal=True)
with row:
    for theme_id, label in view.themes:
        st.page_link("app_pages/themes.py", label=plain(label), icon=":material/sell:", query_params={"id": theme_id})

with st.container(border=True):
    st.markdown("**Curation**")
    st.markdown(
        f"Curated by {plain(claim.curated_by)} on {plain(claim.curated_on)}; based on: {plain(page.basis_label)}."
    )
    if claim.based_on == "secondary":
        st.caption("Based on a secondary account of the work: check it against the source before quoting.")
    if claim.note:
        st.markdown(f"Note: {plain(claim.note)}")

for title, items in (("This claim …", page.outgoing), ("Other claims …", page.incoming)):
    if items:
        st.subheader(title)
        for index, (relation, other) in enumerate(items):
            st.markdown(f"**{relation}**")
            claim_card(other, key=f"{title}-{index}")
