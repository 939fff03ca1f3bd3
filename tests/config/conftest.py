"""Logs as a collector would read them: every record, at DEBUG, through our JSON formatter."""

import io
import logging

import pytest

from config.log_config import logging_config


class Captured:
    def __init__(self, stream: io.StringIO):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def captured_logs():
    """Every log record of the test, formatted as production writes it (JSON, with extras)."""
    config = logging_config(log_format="json", level="DEBUG")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_json_formatter(config))
    handler.addFilter(_request_id_filter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def _json_formatter(config: dict) -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    options = {key: value for key, value in config["formatters"]["json"].items() if key != "()"}
    return JsonFormatter(**options)


def _request_id_filter() -> logging.Filter:
    from config.request_log import RequestIdFilter

    return RequestIdFilter()
