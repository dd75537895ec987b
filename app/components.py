"""Small rendering helpers shared by the pages. Corpus text is always shown as text, never markup."""

from __future__ import annotations

import re

import streamlit as st

from kb.browse import ClaimView
from kb.model import BASIS_LABELS, Claim, Source

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^])")

RELATION_COLOURS = {
    "supports": "green",
    "supported by": "green",
    "disputes": "red",
    "disputed by": "red",
    "extends": "blue",
    "extended by": "blue",
}
# What a claim rests on, coloured from strong (green) to weak (red).
BASIS_COLOURS = {
    "full-text-page": "green",
    "full-text": "green",
    "abstract": "blue",
    "publisher-description": "blue",
    "secondary": "orange",
    "recollection": "red",
}


def plain(text: str) -> str:
    """Escape every Markdown (and Streamlit directive) character so corpus text renders literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text or "").replace("\n", " ")


def code(text: str) -> str:
    """Text as inline code: shown literally, so it needs no escaping (a backtick would end it)."""
    return "`" + (text or "").replace("`", "'").replace("\n", " ") + "`"


def language() -> str:
    return st.session_state.get("ui_language", "en")


def claim_text(view: ClaimView) -> str:
    return view.claim.text.get(language()) or view.claim.text["en"]


def source_line(source: Source) -> str:
    """`Authors (year). Title [English title]` as escaped Markdown."""
    people = source.authors or source.editors
    names = "; ".join(p.display for p in people[:4]) + (" et al." if len(people) > 4 else "")
    title = plain(source.title)
    if source.title_en and source.title_en != source.title:
        title += f" \\[{plain(source.title_en)}\\]"
    return f"{plain(names or source.publisher or source.institution)} ({source.year}). *{title}*"


def claim_card(view: ClaimView, key: str, show_source: bool = True) -> None:
    with st.container(border=True):
        text = claim_text(view)
        if view.claim.is_quote:
            st.markdown(f"> “{plain(text)}”")
        else:
            st.markdown(plain(text))
        badges = st.container(horizontal=True)
        with badges:
            st.badge(plain(view.evidence_label), color="violet")
            st.badge("quotation" if view.claim.is_quote else "paraphrase", color="gray")
            st.badge(
                BASIS_LABELS.get(view.claim.based_on, view.claim.based_on),
                color=BASIS_COLOURS.get(view.claim.based_on, "gray"),
            )
            st.badge(status_label(view.claim), color="green" if view.claim.is_reviewed else "gray")
            for relation, count in sorted(view.relation_counts.items()):
                st.badge(f"{relation} {count}", color=RELATION_COLOURS.get(relation, "gray"))
        if show_source:
            locator = f", {plain(view.claim.locator)}" if view.claim.locator else ""
            st.caption(source_line(view.source) + locator)
        links = st.container(horizontal=True)
        with links:
            st.page_link(
                "app_pages/claim.py",
                label="Open claim",
                icon=":material/format_quote:",
                query_params={"id": view.claim.id},
            )
            st.page_link(
                "app_pages/source.py",
                label="Open source",
                icon=":material/menu_book:",
                query_params={"key": view.source.key},
            )
            for theme_id, label in view.themes:
                st.page_link(
                    "app_pages/themes.py", label=plain(label), icon=":material/sell:", query_params={"id": theme_id}
                )


def status_label(claim: Claim) -> str:
    """`reviewed by NAME` (escaped) or `draft, not reviewed`."""
    if claim.is_reviewed:
        return f"reviewed by {plain(claim.reviewed_by)}, {plain(claim.reviewed_on)}"
    return "draft, not reviewed"


def sync_query_params(values: dict[str, object]) -> None:
    """Mirror page state into the URL so the view can be shared as a link (with the text language)."""
    values = {**values, "ui": language() if language() != "en" else None}
    wanted = {k: str(v) for k, v in values.items() if v not in (None, "", [], False)}
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
