"""Alerts: saved searches and watchlists, evaluated on new findings and delivered as digests."""
