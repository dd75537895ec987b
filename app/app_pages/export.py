"""Export: choose a selection, a format and a style; preview; download."""

import streamlit as st

import resources

st.title("Export")
st.info("Export arrives with the bibliography library.")
