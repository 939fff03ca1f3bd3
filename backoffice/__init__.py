"""The back office door (`/admin/`), built on django.contrib.admin: the dashboard, the lists,
the invoice page with its sections and money flows (Create, Charge, Refund, credit notes…),
the customer profile and API keys. Each page parses input, checks permission, calls the
services of the domain apps and presents the result; `admin.py` registers every page."""
