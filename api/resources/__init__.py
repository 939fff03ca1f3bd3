"""One module per resource of `/api/v1`; `api/urls.py` routes to them."""
