"""One log line per request, with a request id that the response returns."""

import json

import pytest

pytestmark = pytest.mark.django_db


def request_lines(captured) -> list[dict]:
    records = [json.loads(line) for line in captured.lines()]
    return [record for record in records if record["logger"] == "settle.request"]


def test_each_request_logs_one_line_with_its_id_status_and_latency(client, captured_logs):
    response = client.get("/portal/login/")

    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = request_lines(captured_logs)
    assert line["request_id"] == request_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/portal/login/", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == f"GET /portal/login/ 200 {line['duration_ms']:.1f}ms"
    assert line["level"] == "INFO"


def test_a_safe_incoming_request_id_is_kept(client, captured_logs):
    response = client.get("/portal/login/", headers={"X-Request-ID": "lb-7f3a.42:9"})

    assert response["X-Request-ID"] == "lb-7f3a.42:9"
    assert [line["request_id"] for line in request_lines(captured_logs)] == ["lb-7f3a.42:9"]


@pytest.mark.parametrize(
    "incoming", ["has space", "line\nbreak", "x" * 129, "quote\"'", "", "ünicode"]
)
def test_an_unsafe_incoming_request_id_is_replaced(client, captured_logs, incoming):
    response = client.get("/portal/login/", headers={"X-Request-ID": incoming})

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32
    [line] = request_lines(captured_logs)
    assert line["request_id"] == response["X-Request-ID"]


def test_records_logged_during_a_request_carry_its_id(api, entity, captured_logs):
    response = api.post(
        "customers", {"name": "Nadia Okafor", "currency": "EUR"}, idempotency_key="c-1"
    )

    assert response.status == 201
    request_id = response.headers["X-Request-ID"]
    records = [json.loads(line) for line in captured_logs.lines()]
    assert {record["request_id"] for record in records} == {request_id}


def test_an_error_answer_is_logged_too(client, captured_logs):
    response = client.get("/api/v1/nowhere")

    assert response.status_code == 404
    [line] = request_lines(captured_logs)
    assert (line["path"], line["status"]) == ("/api/v1/nowhere", 404)


def test_the_query_string_and_secret_path_arguments_stay_out_of_the_log(client, captured_logs):
    client.get("/portal/login/?next=/portal/&payment_intent_client_secret=pi_1_secret_abc")
    client.get("/portal/password-reset/MQ/cz4xyz-0123456789abcdef/")

    paths = [line["path"] for line in request_lines(captured_logs)]
    assert paths == ["/portal/login/", "/portal/password-reset/…/…/"]
    assert "secret_abc" not in captured_logs.text
    assert "cz4xyz-0123456789abcdef" not in captured_logs.text


def test_records_outside_a_request_have_no_request_id(captured_logs):
    import logging

    logging.getLogger("settle.tests").warning("outside")

    [record] = [json.loads(line) for line in captured_logs.lines()]
    assert (record["message"], record["request_id"]) == ("outside", "-")
