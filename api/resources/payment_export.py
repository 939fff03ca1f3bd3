"""`GET /api/v1/payments/export`: the filtered payment list as CSV, streamed (`payments.exports`)."""

from api.framework.csv_export import (
    LIST_LANGUAGE_PARAMETERS,
    CsvExportView,
    CSVRenderer,  # noqa: F401 (kept importable from here)
    export_schema,
)
from api.resources.payments import FILTER_PARAMETERS, PAYMENT_LIST_SPEC, PaymentFilter
from payments.exports import PAYMENT_EXPORT


class PaymentExportView(CsvExportView):
    export = PAYMENT_EXPORT
    list_spec = PAYMENT_LIST_SPEC
    filterset = PaymentFilter

    @export_schema(
        operation_id="export_payments",
        summary="Export payments as CSV",
        description="The same `query`, `search`, `order_by` and per-field filters as the list, "
        "every matching row, streamed as CSV; `from`/`to` bound the payment date. The last "
        "column, `kind`, tells money received (`money_received`) from `credit_applied`, "
        "`balance_used` and `advance_applied`.",
        parameters=[*LIST_LANGUAGE_PARAMETERS, *FILTER_PARAMETERS],
    )
    def get(self, request):
        return self.export_response(request)
