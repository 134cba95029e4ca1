"""Config-driven spiders, one per source kind."""
