"""SPARQL console: an editor prefilled from the named queries; read-only, with time and size limits."""

import streamlit as st

import resources

st.title("SPARQL")
st.info("The SPARQL console arrives with the SPARQL library.")
