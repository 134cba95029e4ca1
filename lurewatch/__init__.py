"""LureWatch: find deceptive recruitment for scam compounds, keep the evidence, search it."""

__version__ = "0.1.0"
