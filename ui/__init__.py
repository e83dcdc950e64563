"""Streamlit UI. Calls ``assistant`` only; holds no retrieval logic."""
