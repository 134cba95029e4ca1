"""The OpenAPI document and its Swagger UI page, for logged-in users and key holders only, served offline."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Security
from fastapi.responses import Response

from lurewatch.web.deps import LoginRequired, _refuse, api_key_header, session_key
from lurewatch.web.keys import ApiKey
from lurewatch.web.pages import render

pages = APIRouter(include_in_schema=False)


def _reader(request: Request, header: Annotated[str | None, Security(api_key_header)]) -> ApiKey | None:
    if header:
        key: ApiKey | None = request.app.state.keys.check(header)
        if key is None:
            raise _refuse(request, 401, "this API key is not valid")
        return key
    return session_key(request)


@pages.get("/api/docs")
def docs(request: Request, key: Annotated[ApiKey | None, Depends(_reader)]) -> Response:
    """Swagger UI (assets from the fastapi-offline package, no inline script); "Authorize" takes an API key."""
    if key is None:
        raise LoginRequired()
    return render(request, "docs.html", {})


@pages.get("/api/openapi.json")
def openapi(request: Request, key: Annotated[ApiKey | None, Depends(_reader)]) -> dict[str, Any]:
    if key is None:
        raise _refuse(request, 401, "an API key is required (header X-API-Key), or log in to the web UI")
    return api_document(request.app)


def api_document(app: Any) -> dict[str, Any]:
    """FastAPI's OpenAPI document, with each operation's validation error declared as the 400 it is."""
    if app.openapi_schema is None:
        document = app.openapi()
        for path in document.get("paths", {}).values():
            for operation in path.values():
                responses = operation.get("responses", {})
                invalid = responses.pop("422", None)
                if invalid is not None:
                    invalid["description"] = "a parameter is not valid; detail says which and why"
                    invalid["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                    responses["400"] = invalid
                responses.setdefault("401", {"description": "no valid API key"})
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Problem"] = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
        app.openapi_schema = document
    return app.openapi_schema  # type: ignore[no-any-return]
