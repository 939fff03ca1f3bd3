"""A local webhook receiver: an `http.server` on 127.0.0.1 in a thread that records what it
gets, verifies signatures against the secrets it is told, and answers `status`."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from webhooks.signing import signature_verify


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    def verifies(self, secret: str) -> bool:
        return signature_verify(
            self.headers["Settle-Signature"], self.body, secret, now=int(time.time())
        )


@dataclass
class Receiver:
    url: str
    status: int = 200
    received: list[Received] = field(default_factory=list)
    # When set, each request is recorded, then held unanswered until the gate opens.
    gate: threading.Event | None = None

    @property
    def types(self) -> list[str]:
        return [item.event["type"] for item in self.received]

    def ids(self) -> list[str]:
        return [item.event["id"] for item in self.received]


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.receiver.received.append(Received(dict(self.headers), body))
        if self.receiver.gate is not None:
            self.receiver.gate.wait(30)
        self.send_response(self.receiver.status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def receiver_start() -> tuple[Receiver, ThreadingHTTPServer]:
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    handler.receiver = receiver
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
