"""`/api/v1/openapi.json` is a valid OpenAPI 3 document of every endpoint; `/api/v1/docs` serves
Swagger UI from our own static files."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

API_PREFIX = "api/v1/"
NOT_DOCUMENTED = {"api/v1/openapi.json", "api/v1/docs"}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def _routes(patterns, prefix=""):
    """(route, view class) of every URL pattern, includes flattened."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), getattr(pattern.callback, "view_class", None)


def _api_routes() -> list[tuple[str, type]]:
    return [
        (route, view)
        for route, view in _routes(get_resolver().url_patterns)
        if route.startswith(API_PREFIX) and route not in NOT_DOCUMENTED
    ]


def _openapi_path(route: str) -> str:
    """`api/v1/payments/<str:pk>` -> `/api/v1/payments/{id}` (the schema calls a pk `id`)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: f"{{{match.group(1)}}}", route)
    return "/" + path.replace("{pk}", "{id}")


def test_schema_is_a_valid_openapi_3_document(schema):
    validate(schema)

    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Settle API"


def test_schema_is_served_without_a_key_and_as_json_whatever_the_accept_header(db):
    response = Client().get("/api/v1/openapi.json", headers={"Accept": "*/*"})

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_every_api_url_pattern_is_a_path_of_the_schema(schema):
    routes = _api_routes()
    documented = set(schema["paths"])

    assert len(routes) >= 20
    missing = {_openapi_path(route) for route, _ in routes} - documented
    assert not missing, f"URL patterns missing from the schema: {missing}"
    extra = documented - {_openapi_path(route) for route, _ in routes}
    assert not extra, f"Schema paths without a URL pattern: {sorted(extra)}"


def test_every_method_a_view_answers_is_an_operation_of_the_schema(schema):
    for route, view in _api_routes():
        answered = {method for method in HTTP_METHODS if hasattr(view, method)}
        documented = set(schema["paths"][_openapi_path(route)]) & set(HTTP_METHODS)
        assert answered == documented, f"{route}: views answer {answered}, schema {documented}"


def test_every_operation_names_itself_requires_the_key_and_documents_errors(schema):
    operation_ids = []
    for path, item in schema["paths"].items():
        for method in set(item) & set(HTTP_METHODS):
            operation = item[method]
            operation_ids.append(operation["operationId"])
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation["security"] == [{"ApiKey": []}], f"{method} {path}"
            assert {"400", "401", "404", "429"} <= set(operation["responses"]), f"{method} {path}"
            error = operation["responses"]["404"]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/Error"}
    assert len(operation_ids) == len(set(operation_ids))
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_payment_schema_has_the_reference_fields(schema):
    payment = schema["components"]["schemas"]["Payment"]
    create = schema["components"]["schemas"]["PaymentCreateRequest"]

    assert {
        "id",
        "invoice_id",
        "credit_note_id",
        "advance_invoice_id",
        "amount",
        "type",
        "date",
        "reference",
        "note",
        "entity_id",
        "metadata",
        "created_at",
        "updated_at",
    } <= set(payment["properties"])
    assert set(create["required"]) == {"amount", "type"}
    assert create["properties"]["amount"]["type"] == "number"
    assert create["properties"]["metadata"]["maxProperties"] == 50


def test_list_operations_document_the_shared_parameters(schema):
    parameters = {
        parameter["name"] for parameter in schema["paths"]["/api/v1/payments"]["get"]["parameters"]
    }

    assert {
        "limit",
        "next_cursor",
        "prev_cursor",
        "include_total_count",
        "order_by",
        "query",
        "search",
        "include",
        "x-entity-id",
    } <= parameters


@pytest.fixture
def plain_static_storage(settings):
    """Render `{% static %}` without needing collectstatic's manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def test_docs_serve_swagger_ui_from_local_static_files(db, plain_static_storage):
    response = Client().get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "swagger-ui-bundle" in page
    assert not re.search(r"https?://", page), "the docs page loads something from another host"
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    # The start-up script is served by the view itself (no inline script, for the CSP).
    assert "/api/v1/docs?script=" in assets
    assets.remove("/api/v1/docs?script=")
    script = Client().get("/api/v1/docs?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert '"/api/v1/openapi.json"' in script.content.decode()
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local file"


@pytest.mark.parametrize(
    "path", ["/api/v1/invoices/{id}/charge", "/api/v1/advance-invoices/{id}/charge"]
)
def test_charges_document_the_declined_card_as_a_402_card_error(schema, path):
    responses = schema["paths"][path]["post"]["responses"]
    ref = responses["402"]["content"]["application/json"]["schema"]["$ref"]
    error = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]["error"]
    detail = schema["components"]["schemas"][error["$ref"].rsplit("/", 1)[1]]

    assert "201" in responses
    assert {"type", "code", "decline_code", "message", "param", "payment"} <= set(
        detail["properties"]
    )
