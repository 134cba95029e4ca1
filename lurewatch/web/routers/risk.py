"""How the risk score is made: every rule with its description, weight, floor and cited reports; the bands."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lurewatch.enrichment.score import BANDS, rule_catalogue
from lurewatch.web.deps import Reader, WebReader
from lurewatch.web.pages import render, started_here

router = APIRouter(prefix="/api", tags=["search"])
pages = APIRouter(include_in_schema=False)


@router.get("/risk", summary="How risk_score is combined, and its colour bands")
def risk(key: Reader) -> dict[str, Any]:
    return {
        "formula": "max(round(100 * (1 - prod(1 - weight/100))), floors of the rules that fired)",
        "bands": [{"name": b.name, "from": b.low, "to": b.high, "meaning": b.meaning} for b in BANDS],
    }


@pages.get("/risk", dependencies=[Depends(started_here)])
def risk_page(request: Request, key: WebReader) -> Response:
    return render(request, "risk.html", {"rules": list(rule_catalogue().values()), "bands": BANDS})
