"""Fixture sites served on 127.0.0.1 for the crawler tests: a job site, a channel preview, a JavaScript feed."""
