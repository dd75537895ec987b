"""Themes: the thesaurus as a navigable hierarchy, and one theme's evidence."""

import resources
import streamlit as st
from components import claim_card, language, plain, source_line, sync_query_params

from kb.browse.pages import theme_page, theme_tree

evidence = resources.evidence()
theme_id = st.query_params.get("id")


INDENT = "\u2003"


def tree(nodes, depth=0):
    for node in nodes:
        label = node.label_ru if language() == "ru" else node.label
        st.page_link(
            "app_pages/themes.py",
            label=f"{INDENT * depth}{plain(label)}  ·  {node.claims}",
            query_params={"id": node.id},
        )
        tree(node.children, depth + 1)


if not theme_id:
    st.title("Themes")
    st.caption("The thesaurus of the field. The number after each theme counts its claims, narrower themes included.")
    tree(theme_tree(evidence))
    st.stop()

if theme_id not in evidence.vocabulary.themes:
    st.error(f"There is no theme “{plain(theme_id)}”.")
    st.page_link("app_pages/themes.py", label="All themes", icon=":material/account_tree:")
    st.stop()

sync_query_params({"id": theme_id})
page = theme_page(evidence, theme_id, language())
theme = page.theme
st.title(plain(theme.label(language())))
other = "en" if language() == "ru" else "ru"
st.caption(plain(theme.label(other)))
for lang, name in (("en", "Definition"), ("ru", "Определение")):
    if theme.definitions.get(lang):
        st.markdown(f"**{name}.** {plain(theme.definitions[lang])}")
if theme.alt_labels:
    st.caption("Also called: " + plain(", ".join(text for _, text in theme.alt_labels)))

columns = st.columns(3)
for column, (title, items) in zip(
    columns, (("Broader", page.broader), ("Narrower", page.narrower), ("Related", page.related))
):
    with column:
        st.markdown(f"**{title}**")
        for other_id, label in items:
            st.page_link("app_pages/themes.py", label=plain(label), query_params={"id": other_id})
        if not items:
            st.caption("—")
st.page_link(
    "app_pages/graph.py",
    label="See this theme's neighbourhood as a graph",
    icon=":material/hub:",
    query_params={"theme": theme_id},
)

total = sum(len(v) for v in page.claims_by_evidence.values())
st.subheader(f"Claims ({total}; {page.direct_claims} tagged with this theme itself)")
if not total:
    st.warning("No evidence yet: no claim is tagged with this theme or a narrower one.")
for evidence_type, views in page.claims_by_evidence.items():
    with st.expander(f"{plain(evidence.evidence_label(evidence_type, language()))} ({len(views)})", expanded=True):
        for view in views:
            claim_card(view, key=f"{evidence_type}-{view.id}")

for title, pairs, verb in (
    ("Claims that dispute each other", page.disputes, "disputes"),
    ("Claims that support each other", page.supports, "supports"),
):
    if pairs:
        st.subheader(f"{title} ({len(pairs)})")
        for index, (left, right) in enumerate(pairs):
            a, middle, b = st.columns([10, 2, 10], vertical_alignment="center")
            with a:
                claim_card(left, key=f"{verb}-l-{index}")
            with middle:
                st.markdown(f"**{verb} →**")
            with b:
                claim_card(right, key=f"{verb}-r-{index}")

st.subheader(f"Sources ({len(page.sources)})")
for source, count in page.sources:
    row = st.container(horizontal=True, vertical_alignment="center")
    with row:
        st.page_link(
            "app_pages/source.py",
            label=f"{count} claim{'s' if count != 1 else ''}",
            icon=":material/menu_book:",
            query_params={"key": source.key},
        )
        st.markdown(source_line(source))
