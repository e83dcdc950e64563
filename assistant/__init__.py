"""Assistant: retrieval, cited answers, checklists and claim checks over the ingested index."""
