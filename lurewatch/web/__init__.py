"""The HTTP API and the web UI on top of the index."""
