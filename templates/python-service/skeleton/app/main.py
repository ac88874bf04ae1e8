"""The ${{ values.name }} service: health, metrics and its API."""

import os
import time
from collections import Counter

from fastapi import FastAPI, Request, Response

app = FastAPI(title="${{ values.name }}")

# Responses by status code, exposed on /metrics for the canary analysis.
requests_by_code: Counter[int] = Counter()

# The response-time histogram: upper bounds (seconds) of its buckets, +Inf implied.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
duration_counts = [0] * len(DURATION_BUCKETS)
duration = {"sum": 0.0, "count": 0}


def observe_duration(seconds: float) -> None:
    for i, bound in enumerate(DURATION_BUCKETS):
        if seconds <= bound:
            duration_counts[i] += 1
    duration["sum"] += seconds
    duration["count"] += 1


@app.middleware("http")
async def count_responses(request: Request, call_next):
    started = time.perf_counter()
    response = await call_next(request)
    requests_by_code[response.status_code] += 1
    observe_duration(time.perf_counter() - started)
    return response


@app.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness and readiness: the process serves requests. Add dependency checks here."""
    return {"status": "ok"}


@app.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: http_requests_total by code and the response-time histogram
    http_request_duration_seconds, what the AnalysisTemplate queries."""
    lines = ["# TYPE http_requests_total counter"]
    lines += [f'http_requests_total{{code="{code}"}} {count}' for code, count in requests_by_code.items()]
    lines.append("# TYPE http_request_duration_seconds histogram")
    lines += [
        f'http_request_duration_seconds_bucket{{le="{bound}"}} {count}'
        for bound, count in zip(DURATION_BUCKETS, duration_counts)
    ]
    lines.append(f'http_request_duration_seconds_bucket{{le="+Inf"}} {duration["count"]}')
    lines.append(f"http_request_duration_seconds_sum {duration['sum']}")
    lines.append(f"http_request_duration_seconds_count {duration['count']}")
    return Response("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


@app.get("/")
def root() -> dict[str, str]:
    return {"service": "${{ values.name }}", "version": os.environ.get("APP_VERSION", "dev")}
