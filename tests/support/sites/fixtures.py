"""pytest fixtures that serve the fixture sites for a test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.sites.jobsite import JobSite
from tests.support.sites.server import Site, serve


@pytest.fixture(scope="module")
def job_site() -> Iterator[tuple[JobSite, Site]]:
    app = JobSite()
    with serve(app.route) as site:
        app.base_url = site.base_url
        yield app, site
