"""Exports: export jobs over the API for exporter keys (create, poll, download), and the web UI's
"Export these results" on the search page.

``POST /api/exports`` takes ``{"query": {"q": ..., "country": [...], ...}, "format": "csv", "redact": true,
"evidence": false}`` (``query`` holds the parameters of ``/api/search``) and answers 202 with the job, which runs in
a background thread; ``GET /api/exports/{id}`` tells its state; ``GET /api/exports/{id}/files/{name}`` downloads a
file once it is done. A key sees only its own jobs; readers get 403.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from lurewatch.errors import ExportError
from lurewatch.exports.jobs import ExportJob, ExportJobs
from lurewatch.index.query import FILTER_FIELDS, Query
from lurewatch.web.deps import Audit, Exporter, WebExporter
from lurewatch.web.pages import render, started_here
from lurewatch.web.params import query_from_params
from lurewatch.web.sessions import csrf_ok

router = APIRouter(prefix="/api/exports", tags=["exports"])
pages = APIRouter(include_in_schema=False)
QUERY_PARAMS = ("q", *FILTER_FIELDS, "risk_min", "risk_max", "date_from", "date_to", "has_contact", "bbox", "near",
                "sort")  # fmt: skip
Format = Literal["csv", "jsonl", "parquet", "geojson", "ftm", "graph"]
MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl", "json": "application/json",
               "parquet": "application/vnd.apache.parquet", "geojson": "application/geo+json",
               "gexf": "application/gexf+xml", "wacz": "application/wacz"}  # fmt: skip
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="the job's id")]
FileName = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,100}$", description="a file the export lists")]


class ExportBody(BaseModel):
    """What to export: the search (as ``/api/search`` takes it) and how."""

    model_config = ConfigDict(extra="forbid")

    query: dict[str, str | int | bool | list[str]] = Field(
        default_factory=dict, description='parameters of /api/search, e.g. {"q": "visa", "country": ["KH"]}'
    )
    format: Format = "csv"
    redact: bool | None = Field(None, description="pseudonymise contacts (default: on for the researcher profile)")
    evidence: bool = Field(False, description="add the findings' captures as evidence.wacz (never redacted)")


def jobs_of(request: Request) -> ExportJobs:
    state = request.app.state
    if not hasattr(state, "export_jobs"):
        state.export_jobs = ExportJobs(state.settings)
    return state.export_jobs  # type: ignore[no-any-return]


def _params(query: dict[str, Any]) -> dict[str, list[str]]:
    unknown = sorted(set(query) - set(QUERY_PARAMS))
    if unknown:
        raise HTTPException(400, f"unknown query parameter(s) {unknown}; known: {', '.join(QUERY_PARAMS)}")
    return {k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in query.items()}


def start_job(request: Request, audit: Audit, params: dict[str, list[str]], fmt: str, redact: bool | None,
              evidence: bool) -> ExportJob:  # fmt: skip
    """Check and start a job; 400 with a readable message for what cannot run."""
    settings = request.app.state.settings
    redacted = settings.profile == "researcher" if redact is None else redact
    query: Query = query_from_params(params, facets=())  # a bad value: QueryError, answered 400
    if query.sort == "relevance":
        query.sort = "newest"  # a dataset's rows in an order that does not depend on scores
    audit.record("export", params=params, format=fmt, redact=redacted, evidence=evidence)
    try:
        return jobs_of(request).create(audit.key.name, query, fmt, redacted, evidence, params)
    except ExportError as exc:
        raise HTTPException(400, f"{exc} ({exc.hint})" if exc.hint else str(exc)) from exc


def job_json(job: ExportJob, base: str = "/api/exports") -> dict[str, Any]:
    url = f"{base}/{job.id}"
    return {**asdict(job), "status_url": url, "downloads": {name: f"{url}/files/{name}" for name in job.files}}


def _own_job(request: Request, owner: str, job_id: str) -> ExportJob:
    job = jobs_of(request).get(job_id)
    if job is None or job.owner != owner:
        raise HTTPException(404, f"no export job {job_id!r} of this key")
    return job


def _download(request: Request, audit: Audit, job_id: str, name: str) -> Response:
    job = _own_job(request, audit.key.name, job_id)
    path = jobs_of(request).file(job, name)
    if path is None:
        raise HTTPException(404 if job.state == "done" else 409, f"no file {name!r} in export {job_id} ({job.state})")
    audit.record("export_download", job=job_id, file=name)
    media = MEDIA_TYPES.get(name.rsplit(".", 1)[-1], "application/octet-stream")
    return FileResponse(path, media_type=media, filename=name, headers={"Cache-Control": "private, no-store"})


def _api(request: Request, key: Exporter) -> Audit:
    return Audit(request.app.state.audit, key, "api")


def _web(request: Request, key: WebExporter) -> Audit:
    return Audit(request.app.state.audit, key, "web")


ApiExporter = Annotated[Audit, Depends(_api)]
WebExporterAudit = Annotated[Audit, Depends(_web)]


@router.post("", summary="Start an export job (exporter role)", status_code=202)
def create_export(request: Request, body: ExportBody, audit: ApiExporter) -> dict[str, Any]:
    """``query``: the parameters of ``/api/search`` (``q``, filters, ``risk_min``, dates, ``sort``); ``format``: csv,
    jsonl, parquet, geojson, ftm or graph; ``redact``; ``evidence``. Answers the job: poll its ``status_url``."""
    job = start_job(request, audit, _params(body.query), body.format, body.redact, body.evidence)
    return job_json(job)


@router.get("", summary="This key's export jobs, newest first")
def list_exports(request: Request, audit: ApiExporter) -> list[dict[str, Any]]:
    return [job_json(job) for job in jobs_of(request).list(audit.key.name)]


@router.get("/{job_id}", summary="State of an export job")
def export_status(request: Request, job_id: JobId, audit: ApiExporter) -> dict[str, Any]:
    """``state``: queued, running, done or failed; ``rows`` of ``expected`` written; ``downloads`` once done."""
    return job_json(_own_job(request, audit.key.name, job_id))


@router.get("/{job_id}/files/{name}", summary="Download a file of a finished export")
def export_file(request: Request, job_id: JobId, name: FileName, audit: ApiExporter) -> Response:
    return _download(request, audit, job_id, name)


@pages.post("/exports")
async def create_export_form(request: Request, audit: WebExporterAudit) -> Response:
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf") or "")):
        request.state.refusal = {"reason": "export form without a valid CSRF token"}
        raise HTTPException(403, "The form had expired; reload the page and try again.")
    params: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if name in QUERY_PARAMS and isinstance(value, str) and value:
            params.setdefault(name, []).append(value)
    fmt = str(form.get("format") or "csv")
    job = start_job(request, audit, params, fmt, form.get("redact") == "1", form.get("evidence") == "1")
    return RedirectResponse(f"/exports/{job.id}", status_code=303)


@pages.get("/exports/{job_id}", dependencies=[Depends(started_here)])
def export_page(request: Request, job_id: JobId, audit: WebExporterAudit) -> Response:
    job = _own_job(request, audit.key.name, job_id)
    return render(request, "export.html", {"job": job, "info": job_json(job, base="/exports")})


@pages.get("/exports/{job_id}/files/{name}", dependencies=[Depends(started_here)])
def export_page_file(request: Request, job_id: JobId, name: FileName, audit: WebExporterAudit) -> Response:
    return _download(request, audit, job_id, name)
