"""Enrichment steps: pure Python, one module each, from a crawled Posting to an indexed Finding."""
