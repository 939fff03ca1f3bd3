"""A local HTTP server that speaks enough of Stripe's API for the real `stripe` SDK.

Threaded `http.server` on 127.0.0.1 with a random port. Requests are parsed
like Stripe's (form-encoded, nested keys, Bearer key); answers are JSON objects
shaped like Stripe's (see `objects.py`), errors use Stripe's error body and
status codes (402 card errors, 400 invalid requests and idempotency errors,
401, 429, 500). It keeps:

- idempotency: a repeated `Idempotency-Key` with the same parameters replays
  the first answer (`Idempotent-Replayed: true`), creating nothing; other
  parameters answer 400 `idempotency_error`;
- faults: `fail_next()` answers an error before doing anything (as Stripe does
  with `Stripe-Should-Retry`), optionally after a delay; `delay_next()` does the
  work and then sleeps past the client's timeout (the charge exists, the answer
  is lost);
- Stripe's side of the world: authentication pages, Checkout completion,
  dashboard refunds and charges, disputes, and the events Stripe would send.
"""

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit

from tests.stripe_fake import objects
from tests.stripe_fake.forms import decode

API_KEY = "sk_test_settle_fake"
WEBHOOK_SECRET = "whsec_settle_fake_secret"


class StripeHTTPError(Exception):
    def __init__(self, status: int, error: dict):
        super().__init__(error.get("message", ""))
        self.status, self.error = status, error


def invalid(message: str, code: str = "resource_missing", param: str | None = None):
    error = {"type": "invalid_request_error", "code": code, "message": message}
    if param:
        error["param"] = param
    return StripeHTTPError(400 if code != "resource_missing" else 404, error)


@dataclass
class Fault:
    method: str
    path: str
    status: int = 0  # answer this error without doing anything (after `delay`, if any)
    delay: float = 0.0  # or: do the work, then sleep this long before answering
    times: int = 1


class FakeStripe:
    def __init__(self):
        self.lock = threading.RLock()
        self.httpd = None
        self.reset()

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> "FakeStripe":
        fake = self

        class Handler(StripeRequestHandler):
            server_fake = fake

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        with self.lock:
            self.store = {
                kind: {}
                for kind in (
                    "customer",
                    "payment_intent",
                    "charge",
                    "refund",
                    "payment_method",
                    "setup_intent",
                    "checkout.session",
                )
            }
            self.idempotency: dict[str, tuple] = {}
            self.faults: list[Fault] = []
            self.requests: list[dict] = []
            self.events: list[dict] = []

    # --- test controls ----------------------------------------------------------------------

    def fail_next(
        self, method: str, path: str, status: int = 500, times: int = 1, delay: float = 0.0
    ) -> None:
        self.faults.append(Fault(method, path, status=status, delay=delay, times=times))

    def delay_next(self, method: str, path: str, seconds: float, times: int = 1) -> None:
        self.faults.append(Fault(method, path, delay=seconds, times=times))

    def objects(self, kind: str) -> list[dict]:
        with self.lock:
            return list(self.store[kind].values())

    def count(self, kind: str) -> int:
        return len(self.objects(kind))

    def get(self, kind: str, object_id: str) -> dict:
        with self.lock:
            return self.store[kind][object_id]

    def events_of(self, event_type: str) -> list[dict]:
        return [event for event in self.events if event["type"] == event_type]

    def _emit(self, event_type: str, obj: dict, **kwargs) -> dict:
        event = objects.event(event_type, obj, **kwargs)
        self.events.append(event)
        return event

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.method == method and path.startswith(fault.path) and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    # --- HTTP entry point -------------------------------------------------------------------

    def respond(self, method: str, path: str, query: str, body: str, headers, peer=None) -> tuple:
        """Returns (status, json body or html/redirect tuple, extra headers, delay).

        `peer` is the client's (host, port), kept with the request so a test can tell
        which process sent it.
        """
        if path.startswith("/fake/"):
            return self._fake_page(path, decode(query))
        auth = headers.get("Authorization", "")
        if auth != f"Bearer {API_KEY}":
            error = {"type": "invalid_request_error", "message": "Invalid API Key provided."}
            return 401, {"error": error}, {}, 0.0
        params = decode(body if method == "POST" else query)
        key = headers.get("Idempotency-Key") if method == "POST" else None
        self.requests.append(
            {"method": method, "path": path, "params": params, "key": key, "peer": peer}
        )
        fault = self._take_fault(method, path)
        if fault is not None and fault.status:
            headers = {"Stripe-Should-Retry": "true"}
            return fault.status, self._fault_body(fault.status), headers, fault.delay
        delay = fault.delay if fault is not None else 0.0
        fingerprint = json.dumps([method, path, params], sort_keys=True)
        with self.lock:
            if key is not None and key in self.idempotency:
                first_fingerprint, status, payload = self.idempotency[key]
                if first_fingerprint != fingerprint:
                    error = {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                    }
                    return 400, {"error": error}, {}, delay
                self.requests[-1]["replayed"] = True
                return status, payload, {"Idempotent-Replayed": "true"}, delay
            try:
                status, payload = 200, self._route(method, path, params)
            except StripeHTTPError as failure:
                status, payload = failure.status, {"error": failure.error}
            if key is not None:
                self.idempotency[key] = (fingerprint, status, payload)
        return status, payload, {"Original-Request": key or ""}, delay

    @staticmethod
    def _fault_body(status: int) -> dict:
        if status == 429:
            return {
                "error": {
                    "type": "invalid_request_error",
                    "code": "rate_limit",
                    "message": "Too many requests hit the API too quickly.",
                }
            }
        return {"error": {"type": "api_error", "message": "An unknown error occurred."}}

    # --- routing ----------------------------------------------------------------------------

    ROUTES = [
        ("POST", r"/v1/customers", "create_customer"),
        ("GET", r"/v1/customers/(?P<id>[^/]+)", "retrieve_customer"),
        ("POST", r"/v1/payment_intents", "create_payment_intent"),
        ("GET", r"/v1/payment_intents/(?P<id>[^/]+)", "retrieve_payment_intent"),
        ("POST", r"/v1/payment_intents/(?P<id>[^/]+)/confirm", "confirm_payment_intent"),
        ("POST", r"/v1/payment_intents/(?P<id>[^/]+)/cancel", "cancel_payment_intent"),
        ("POST", r"/v1/refunds", "create_refund"),
        ("GET", r"/v1/refunds", "list_refunds"),
        ("GET", r"/v1/refunds/(?P<id>[^/]+)", "retrieve_refund"),
        ("GET", r"/v1/payment_methods", "list_payment_methods"),
        ("GET", r"/v1/payment_methods/(?P<id>[^/]+)", "retrieve_payment_method"),
        ("POST", r"/v1/payment_methods/(?P<id>[^/]+)/attach", "attach_payment_method"),
        ("POST", r"/v1/payment_methods/(?P<id>[^/]+)/detach", "detach_payment_method"),
        ("POST", r"/v1/checkout/sessions", "create_checkout_session"),
        ("GET", r"/v1/checkout/sessions/(?P<id>[^/]+)", "retrieve_checkout_session"),
        ("GET", r"/v1/setup_intents/(?P<id>[^/]+)", "retrieve_setup_intent"),
    ]

    def _route(self, method: str, path: str, params: dict) -> dict:
        for route_method, pattern, name in self.ROUTES:
            match = re.fullmatch(pattern, path)
            if route_method == method and match:
                from tests.stripe_fake import api

                return getattr(api, name)(self, params, **match.groupdict())
        raise invalid(f"Unrecognized request URL ({method}: {path}).", code="url_invalid")

    def _fake_page(self, path: str, query: dict) -> tuple:
        from tests.stripe_fake import world

        return world.fake_page(self, path, query)


class StripeRequestHandler(BaseHTTPRequestHandler):
    server_fake: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        return

    def _serve(self, method: str):
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        status, payload, extra, delay = self.server_fake.respond(
            method, split.path, split.query, body, self.headers, self.client_address
        )
        if delay:
            time.sleep(delay)  # the work is done; the client gives up before the answer
        if isinstance(payload, tuple):  # a browser page: ("redirect", url) or ("html", text)
            kind, value = payload
            data = value.encode() if kind == "html" else b""
            headers = {"Location": value} if kind == "redirect" else {}
            content_type = "text/html; charset=utf-8"
        else:
            data, headers, content_type = json.dumps(payload).encode(), {}, "application/json"
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", objects.new_id("req"))
            for name, value in {**extra, **headers}.items():
                if value:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_DELETE(self):
        self._serve("DELETE")


def return_with(url: str, **params) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(params)}"
