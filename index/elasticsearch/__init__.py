"""The Elasticsearch backend: an alias over a versioned index, the query compiler, the mapping, admin."""
