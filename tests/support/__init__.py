"""Support code for the tests: fixture sites, labelled sets, generated findings."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's top folder."""
IN_CI = os.environ.get("CI", "").lower() == "true"
"""In CI every integration test must run: a missing dependency fails instead of skipping."""
