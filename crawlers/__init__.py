"""Scrapy project of LureWatch: config-driven spiders, item pipelines and evidence capture."""
