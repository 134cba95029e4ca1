"""Source discovery: places to crawl next that findings name, kept as candidate sources for an analyst to review.

``mentions`` reads them from a finding's text, ``store`` keeps them (``DATA_DIR/discovery.sqlite``), ``service``
ranks them and records reviews, ``templates`` writes the source YAML of an approved one. Nothing is crawled
automatically: an approved candidate is an unscheduled YAML under ``SOURCES_DIR/candidates/``.
"""
