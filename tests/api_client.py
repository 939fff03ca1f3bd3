"""A small JSON client over Django's test client: real requests through the whole stack."""

from dataclasses import dataclass

import simplejson
from django.test import Client


@dataclass
class ApiResponse:
    status: int
    body: object
    headers: dict

    @property
    def error(self) -> dict:
        return self.body["error"]


class ApiClient:
    def __init__(self, key: str | None, entity_id: str | None = None):
        self.client = Client()
        self.key = key
        self.entity_id = entity_id

    def _headers(self, idempotency_key=None, extra=None):
        headers = {}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if self.entity_id:
            headers["x-entity-id"] = self.entity_id
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        headers.update(extra or {})
        return headers

    def request(
        self, method, path, body=None, *, params=None, idempotency_key=None, headers=None, raw=None
    ) -> ApiResponse:
        url = path if path.startswith("/") else f"/api/v1/{path}"
        data = (
            raw
            if raw is not None
            else (simplejson.dumps(body, use_decimal=True) if body is not None else None)
        )
        kwargs = {"headers": self._headers(idempotency_key, headers)}
        if method == "get":
            response = self.client.get(url, params or {}, **kwargs)
        else:
            response = getattr(self.client, method)(
                url, data=data or "", content_type="application/json", **kwargs
            )
        content = response.content
        parsed = (
            simplejson.loads(content, use_decimal=True)
            if content and response.get("Content-Type", "").startswith("application/json")
            else content
        )
        return ApiResponse(response.status_code, parsed, dict(response.headers))

    def get(self, path, params=None, **kwargs):
        return self.request("get", path, params=params, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("post", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.request("patch", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("delete", path, **kwargs)
