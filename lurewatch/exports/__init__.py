"""Exports: a query's findings as a dataset (CSV, JSON lines, Parquet, GeoJSON, FollowTheMoney, GEXF graph)
with a Frictionless ``datapackage.json``, optional redaction and an evidence bundle (WACZ)."""
