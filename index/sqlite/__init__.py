"""The SQLite backend: FTS5 for text, side tables for multi-valued fields, an R*Tree for geo."""
