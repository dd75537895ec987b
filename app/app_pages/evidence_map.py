"""Evidence map: themes against evidence types (or top-level themes); click a cell to list its evidence."""

import pandas as pd
import resources
import streamlit as st
from components import claim_card, language, plain, sync_query_params

from kb.browse.evidence_map import cell_claims
from kb.browse.pages import claim_view

evidence = resources.evidence()
st.title("Evidence map")
dimension = (
    st.segmented_control(
        "Columns",
        ["evidence", "themes"],
        default=st.query_params.get("cols", "evidence"),
        format_func={"evidence": "Evidence types", "themes": "Top-level themes"}.get,
        key="map_columns",
    )
    or "evidence"
)
narrower = st.toggle("Count claims of narrower themes in each row", value=True, key="map_narrower")
matrix = resources.evidence_map(dimension, narrower, language())
st.caption(
    "Each cell: claims · sources · supporting/disputing relations touching them. "
    "Red cells are evidence gaps. Click a cell to list its evidence."
)

INDENT = "\u2003"
row_labels = [f"{INDENT * depth}{label}" for _, label, depth in matrix.rows]
column_labels = [label for _, label in matrix.columns]


def describe(cell) -> str:
    if cell.is_gap:
        return "—"
    return f"{cell.claims} · {cell.sources} src · +{cell.supports}/−{cell.disputes}"


table = pd.DataFrame(
    [[describe(matrix.cell(row, column)) for column, _ in matrix.columns] for row, _, _ in matrix.rows],
    index=row_labels,
    columns=column_labels,
)
styled = table.style.map(lambda value: "background-color: #ffcdd2; color: #b71c1c" if value == "—" else "")
event = st.dataframe(
    styled,
    on_select="rerun",
    selection_mode="single-cell",
    key="map_table",
    height=min(38 * (len(row_labels) + 1), 1400),
    width="stretch",
)

chosen = None
if event.selection.cells:
    row_index, column_label = event.selection.cells[0]
    chosen = (matrix.rows[row_index][0], matrix.columns[column_labels.index(column_label)][0])
elif st.query_params.get("row") and st.query_params.get("col"):
    chosen = (st.query_params["row"], st.query_params["col"])
sync_query_params(
    {
        "cols": dimension if dimension != "evidence" else None,
        "row": chosen[0] if chosen else None,
        "col": chosen[1] if chosen else None,
    }
)

gaps = matrix.gaps
st.caption(f"{len(gaps)} of {len(matrix.cells)} cells are gaps.")
if chosen and chosen in matrix.cells:
    row, column = chosen
    column_label = dict(matrix.columns)[column]
    st.subheader(f"{plain(evidence.theme_label(row, language()))} × {plain(column_label)}")
    claims = cell_claims(evidence, row, column, columns=dimension, include_narrower=narrower)
    if not claims:
        st.warning("An evidence gap: no claim here yet.")
    for claim in claims:
        claim_card(claim_view(evidence, claim, language()), key=f"cell-{claim.id}")
