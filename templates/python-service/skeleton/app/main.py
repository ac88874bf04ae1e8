"""The ${{ values.name }} service: health, metrics and its API."""

import os
from collections import Counter

from fastapi import FastAPI, Request, Response

app = FastAPI(title="${{ values.name }}")

# Responses by status code, exposed on /metrics for the canary analysis.
requests_by_code: Counter[int] = Counter()


@app.middleware("http")
async def count_responses(request: Request, call_next):
    response = await call_next(request)
    requests_by_code[response.status_code] += 1
    return response


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness and readiness: the process serves requests. Add dependency checks here."""
    return {"status": "ok"}


@app.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: http_requests_total by code, what the AnalysisTemplate queries."""
    lines = ["# TYPE http_requests_total counter"]
    lines += [f'http_requests_total{{code="{code}"}} {count}' for code, count in requests_by_code.items()]
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


@app.get("/")
def root() -> dict[str, str]:
    return {"service": "${{ values.name }}", "version": os.environ.get("APP_VERSION", "dev")}
