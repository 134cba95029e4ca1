"""Export jobs over HTTP (exporter role): create, poll, download; and the web UI's "Export these results".

``POST /api/exports`` takes JSON ``{"query": {"q": ..., "country": [...], ...}, "format": "csv", "redact": true,
"evidence": false}`` (``query`` holds the parameters of ``/api/search``) and answers 202 with the job; the job
runs in a background thread; ``GET /api/exports/{id}`` tells its state; ``GET /api/exports/{id}/files/{name}``
downloads a file once it is done. A key sees only its own jobs. Readers get 403.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from lurewatch.errors import ExportError
from lurewatch.exports.jobs import ExportJob, ExportJobs
from lurewatch.exports.writers import FORMATS
from lurewatch.index.query import FILTER_FIELDS, QueryError
from lurewatch.web.app import authenticate, presented_key
from lurewatch.web.keys import ApiKey
from lurewatch.web.params import query_from_params
from lurewatch.web.templating import templates

router = APIRouter()
API = "/api/exports"
QUERY_PARAMS = ("q", *FILTER_FIELDS, "risk_min", "risk_max", "date_from", "date_to", "has_contact", "bbox", "near",
                "sort")  # fmt: skip
OPTIONS = ("format", "redact", "evidence")
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl", "json": "application/json",
               "parquet": "application/vnd.apache.parquet", "geojson": "application/geo+json",
               "gexf": "application/gexf+xml", "wacz": "application/wacz"}  # fmt: skip


def exporter(request: Request) -> ApiKey:
    return authenticate(request, "exporter")


Exporter = Annotated[ApiKey, Depends(exporter)]


def jobs_of(request: Request) -> ExportJobs:
    state = request.app.state
    if not hasattr(state, "export_jobs"):
        state.export_jobs = ExportJobs(state.settings)
    return state.export_jobs  # type: ignore[no-any-return]


def _flag(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("1", "true", "yes", "on")


def _as_params(query: Any) -> dict[str, list[str]]:
    if not isinstance(query, dict):
        raise HTTPException(400, 'query must be an object of search parameters, e.g. {"q": "visa", "country": ["MM"]}')
    unknown = sorted(set(query) - set(QUERY_PARAMS))
    if unknown:
        raise HTTPException(400, f"unknown query parameter(s) {unknown}; known: {', '.join(QUERY_PARAMS)}")
    return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in query.items() if v is not None}


def create_job(request: Request, key: ApiKey, params: dict[str, list[str]], fmt: str, redact: bool | None,
               evidence: bool) -> ExportJob:  # fmt: skip
    """Check and start a job; 400 with a readable message for what cannot run."""
    settings = request.app.state.settings
    if fmt not in FORMATS:
        raise HTTPException(400, f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    redacted = settings.profile == "researcher" if redact is None else redact
    try:
        query = query_from_params(params, facets=())
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    if query.sort == "relevance":
        query.sort = "newest"  # an export is a dataset: a stable order that does not depend on scores
    request.app.state.audit.record(key, "export", {"params": params, "format": fmt, "redact": redacted,
                                                  "evidence": evidence})  # fmt: skip
    try:
        return jobs_of(request).create(key.name, query, fmt, redacted, evidence, params)
    except ExportError as exc:
        raise HTTPException(400, f"{exc} ({exc.hint})" if exc.hint else str(exc)) from exc


def job_json(job: ExportJob) -> dict[str, Any]:
    base = f"/api/exports/{job.id}"
    return {**asdict(job), "status_url": base,
            "downloads": {name: f"{base}/files/{name}" for name in job.files}}  # fmt: skip


def _own_job(request: Request, key: ApiKey, job_id: str) -> ExportJob:
    job = jobs_of(request).get(job_id)
    if job is None or job.owner != key.name:
        raise HTTPException(404, f"no export job {job_id!r} of this key")
    return job


@router.post(API, tags=["exports"], summary="Start an export job (exporter role)", status_code=202)
async def create_export(request: Request, key: Exporter) -> dict[str, Any]:
    """Body (JSON): ``query`` (the parameters of ``/api/search``: ``q``, filters, ``risk_min``, dates, ``sort``),
    ``format`` (csv, jsonl, parquet, geojson, ftm, graph), ``redact`` (default: on for the researcher profile),
    ``evidence`` (add a WACZ of the captures; never redacted). Answers the job; poll ``status_url``."""
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise HTTPException(400, f"the body must be JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    unknown = sorted(set(body) - set(OPTIONS) - {"query"})
    if unknown:
        raise HTTPException(400, f"unknown field(s) {unknown}; known: query, {', '.join(OPTIONS)}")
    # The URL may carry the search parameters and options instead (``POST /api/exports?q=visa&format=csv``).
    url = {name: request.query_params.getlist(name) for name in request.query_params}
    options = {name: url[name][-1] for name in OPTIONS if name in url} | {k: body[k] for k in OPTIONS if k in body}
    query = body["query"] if "query" in body else {k: v for k, v in url.items() if k not in OPTIONS}
    job = create_job(request, key, _as_params(query), str(options.get("format", "csv")),
                     _flag(options.get("redact")), bool(_flag(options.get("evidence"))))  # fmt: skip
    return job_json(job)


@router.get(API, tags=["exports"], summary="This key's export jobs, newest first")
def list_exports(request: Request, key: Exporter) -> list[dict[str, Any]]:
    return [job_json(job) for job in jobs_of(request).list(key.name)]


@router.get(API + "/{job_id}", tags=["exports"], summary="State of an export job")
def export_status(request: Request, job_id: str, key: Exporter) -> dict[str, Any]:
    """``state``: queued, running, done or failed; ``rows`` of ``expected`` written; ``downloads`` once done."""
    return job_json(_own_job(request, key, job_id))


@router.get(API + "/{job_id}/files/{name}", tags=["exports"], summary="Download a file of a finished export")
def export_file(request: Request, job_id: str, name: str, key: Exporter) -> Response:
    job = _own_job(request, key, job_id)
    path = jobs_of(request).file(job, name)
    if path is None:
        raise HTTPException(404 if job.state == "done" else 409, f"no file {name!r} in export {job_id} ({job.state})")
    request.app.state.audit.record(key, "export_download", {"job": job_id, "file": name})
    media = MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    return FileResponse(path, media_type=media, filename=name)


# --- the web UI: "Export these results" on the search page ----------------------------------------


def _ui_key(request: Request, role: str) -> ApiKey:
    key: ApiKey | None = request.app.state.keys.check(presented_key(request))
    if key is None:
        raise HTTPException(401, "log in first")
    if not key.can(role):
        raise HTTPException(403, f"exports need an exporter key; {key.name!r} is a {key.role}")
    return key


@router.post("/exports", include_in_schema=False)
async def create_export_form(request: Request) -> Response:
    key = _ui_key(request, "exporter")
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    params = {k: v for k, v in form.items() if k in QUERY_PARAMS}
    fmt = (form.get("format") or ["csv"])[-1]
    job = create_job(request, key, params, fmt, _flag((form.get("redact") or [""])[-1]) or False,
                     bool(_flag((form.get("evidence") or [""])[-1])))  # fmt: skip
    return RedirectResponse(f"/exports/{job.id}", status_code=303)


@router.get("/exports/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def export_page(request: Request, job_id: str) -> Response:
    key = _ui_key(request, "exporter")
    job = _own_job(request, key, job_id)
    return templates.TemplateResponse(request, "export.html", {"job": job, "info": job_json(job)})
