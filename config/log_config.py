"""The `LOGGING` dictionary: text for people, JSON lines for log collectors.

`SETTLE_LOG_FORMAT=json` writes one JSON object per line (python-json-logger)
with `timestamp`, `level`, `logger`, `message`, `request_id` and any structured
fields a record carries (the request line adds `method`, `path`, `status`,
`duration_ms`); `text` writes `time level [request id] logger: message`.
"""

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
LOG_FORMATS = ("json", "text")


def logging_config(*, log_format: str, level: str) -> dict:
    if log_format not in LOG_FORMATS:
        raise ValueError(f"SETTLE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    formatters = {
        "text": {"format": TEXT_FORMAT},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "timestamp", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.request_log.RequestIdFilter"}},
        "formatters": formatters,
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own "Not Found: /x" and access-style lines duplicate our request line.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            # The SDK logs request bodies at DEBUG: never, whatever the root level.
            "stripe": {"level": "INFO"},
            # The scheduler's own chatter; billing.schedule logs one line per tick.
            "apscheduler": {"level": "WARNING"},
            # django-axes' start banner, once per process (lockouts still log at WARNING).
            "axes.apps": {"level": "WARNING"},
            # WeasyPrint logs each step of each PDF at INFO (twenty lines a document).
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # mt-940 logs a tag it cannot read with its raw text (payers' names and details);
            # the import answers with the error itself.
            "mt940": {"level": "CRITICAL"},
        },
    }
