"""schemathesis against the app's own OpenAPI document, with a valid key: no input gives a server error.

Every operation gets generated parameters (valid and not) from the document; a bad one must be a 4xx with a
message, never a 500. The document itself must declare each parameter and the API-key scheme.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from lurewatch.index.sqlite.backend import SqliteIndex
from lurewatch.settings import Settings
from lurewatch.web.app import create_app
from lurewatch.web.keys import KeyStore

pytestmark = pytest.mark.slow
EXAMPLES = 150  # per operation


def test_no_generated_request_gets_a_server_error(settings: Settings, store: SqliteIndex) -> None:
    key = {"X-API-Key": KeyStore(settings.keys_path).add("fuzzer", "exporter")}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(settings, store), headers=key)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    calls: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None,
                             suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=key)
            calls.append(response.status_code)
            assert response.status_code < 500, (case.path, case.query, response.status_code, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error])

        check()
    assert len(calls) >= len(operations) * 10 and 200 in calls and 400 in calls
