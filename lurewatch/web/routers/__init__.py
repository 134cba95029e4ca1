"""One router per area of the HTTP API and the web UI."""
