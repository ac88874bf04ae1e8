from fastapi.testclient import TestClient

from app.main import app

client = TestClient(app)


def test_healthz_answers_ok():
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_metrics_count_responses_by_code():
    client.get("/missing")
    text = client.get("/metrics").text
    assert 'http_requests_total{code="404"}' in text
    assert 'http_requests_total{code="200"}' in text


def test_metrics_expose_the_response_time_histogram():
    client.get("/healthz")
    lines = client.get("/metrics").text.splitlines()
    assert "# TYPE http_request_duration_seconds histogram" in lines
    count = next(int(line.split()[1]) for line in lines if line.startswith("http_request_duration_seconds_count "))
    assert count >= 1
    assert f'http_request_duration_seconds_bucket{{le="+Inf"}} {count}' in lines


def test_root_names_the_service():
    assert client.get("/").json()["service"] == "${{ values.name }}"
