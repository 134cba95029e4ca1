"""The index: one interface, two backends (SQLite embedded, Elasticsearch), the query model."""
