"""The list machinery every REST list endpoint shares.

    page = list_page(Payment.objects.filter(entity=entity), request.query_params, PAYMENTS)
    {"data": serialize(page.rows), "pagination": page.pagination}

See `page` for the contract, `query` for the filter language and `cursor`
for the cursor format.
"""

from api.framework.listing.page import list_all, list_page
from api.framework.listing.spec import Field, ListSpec, Page

__all__ = ["Field", "ListSpec", "Page", "list_all", "list_page"]
