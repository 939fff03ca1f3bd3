"""The optional error reporter: Sentry, only when `SENTRY_DSN` is set.

Nothing personal or secret leaves. `data_collection` is the SDK's successor of
`send_default_pii=False` (which it deprecates), set category by category: no
user details or IP addresses, no cookies, no request bodies (API notes, form
fields), no query strings (a gateway's return URL carries a client secret), only
harmless request headers (never `Authorization`), no local variables of stack
frames (they may hold a key or a card token), no SQL parameters, and no
performance tracing unless asked for.
"""

OFF = {"mode": "off"}
SAFE_HEADERS = ["content-type", "user-agent", "x-request-id", "idempotency-key"]
DATA_COLLECTION = {
    "user_info": False,
    "cookies": OFF,
    "http_headers": {"request": {"mode": "allowlist", "terms": SAFE_HEADERS}},
    "http_bodies": [],
    "url_query_params": OFF,
    "stack_frame_variables": False,
    "database_query_data": False,
}


def error_reporter_init(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    import sentry_sdk  # only when a DSN is set

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        data_collection=DATA_COLLECTION,
        include_local_variables=False,  # the same, for integrations that read the older options
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
    )
