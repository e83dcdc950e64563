"""Ingestion: German PDFs into a clean, incremental, citation-ready index."""
